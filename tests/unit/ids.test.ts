import { describe, expect, it } from 'vitest';
import {
  type AlertId,
  alertIdFactory,
  asAlertId,
  clientOrderIdFor,
  MAX_CLIENT_ORDER_ID_LENGTH,
} from '../../src/domain/ids.ts';

/** Random characters the way build-deps makes them: hex, two per byte. */
function hexOf(bytes: number): string {
  return 'f'.repeat(bytes * 2);
}

describe('alertIdFactory', () => {
  it('starts the id with the time in base 36 padded to nine characters, then the random part', () => {
    // Prepare
    const newAlertId = alertIdFactory(() => 'abcdef');
    const now = new Date('2026-03-10T14:00:00.000Z');

    // Act
    const id = newAlertId(now);

    // Assess
    expect(id).toBe(`${now.getTime().toString(36).padStart(9, '0')}abcdef`);
    expect(id).toHaveLength(15);
  });

  it('asks for six random bytes', () => {
    // Prepare
    const asked: number[] = [];
    const newAlertId = alertIdFactory((bytes) => {
      asked.push(bytes);
      return hexOf(bytes);
    });

    // Act
    newAlertId(new Date('2026-03-10T14:00:00.000Z'));

    // Assess
    expect(asked).toEqual([6]);
  });

  it('makes ids that sort in time order whatever the random part', () => {
    // Prepare
    const randoms = ['zzzzzz', '000000', 'mmmmmm', 'aaaaaa'];
    const newAlertId = alertIdFactory(() => randoms.shift() ?? '');
    const times = [
      new Date('2001-09-09T01:46:40.000Z'),
      new Date('2026-03-10T14:00:00.000Z'),
      new Date('2026-03-10T14:00:00.001Z'),
      new Date('2099-01-01T00:00:00.000Z'),
    ];

    // Act
    const ids = times.map((time) => newAlertId(time));

    // Assess
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('clientOrderIdFor', () => {
  it('derives the same id from the same alert and leg', () => {
    // Prepare
    const alertId = asAlertId('0mmkz3q8wabcdefabcdef');

    // Act
    const ids = [clientOrderIdFor(alertId, 1), clientOrderIdFor(alertId, 1)];

    // Assess
    expect(ids).toEqual(['pb-0mmkz3q8wabcdefabcdef-1', 'pb-0mmkz3q8wabcdefabcdef-1']);
  });

  it('gives each leg of one alert its own id', () => {
    // Prepare
    const alertId = asAlertId('0mmkz3q8wabcdefabcdef');

    // Act
    const ids = [clientOrderIdFor(alertId, 1), clientOrderIdFor(alertId, 2)];

    // Assess
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('stays within the broker limit for ids the alert id factory makes', () => {
    // Prepare
    const alertId: AlertId = alertIdFactory(hexOf)(new Date('2099-12-31T23:59:59.999Z'));

    // Act
    const id = clientOrderIdFor(alertId, 99);

    // Assess
    expect(id.length).toBeLessThanOrEqual(MAX_CLIENT_ORDER_ID_LENGTH);
  });

  it('refuses an id longer than 48 characters', () => {
    // Prepare
    const alertId = asAlertId('x'.repeat(44));

    // Act
    const make = () => clientOrderIdFor(alertId, 1);

    // Assess
    expect(make).toThrow(RangeError);
  });

  it('accepts an id of exactly 48 characters', () => {
    // Prepare
    const alertId = asAlertId('x'.repeat(43));

    // Act
    const id = clientOrderIdFor(alertId, 1);

    // Assess
    expect(id).toHaveLength(48);
  });
});
