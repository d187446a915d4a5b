import { describe, expect, it } from 'vitest';
import { CRYPTO_PATTERN, NYSE_HOLIDAYS } from '../../src/config.ts';
import {
  assetClassOf,
  businessDaysEnding,
  localParts,
  type MarketCalendar,
  NYSE_CALENDAR,
  sessionAt,
} from '../../src/domain/market-hours.ts';

/** The default calendar: NYSE hours in New York, with its holidays and early closes. */
const NYSE: MarketCalendar = NYSE_CALENDAR;

describe('sessionAt for US equities', () => {
  it('is regular at 10:00 New York on a Monday', () => {
    // Prepare
    const now = new Date('2026-11-23T15:00:00Z');

    // Act
    const session = sessionAt(now, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('regular');
  });

  it('is regular from the open at 09:30 and extended from the close at 16:00', () => {
    // Prepare
    const open = new Date('2026-11-23T14:30:00Z');
    const close = new Date('2026-11-23T21:00:00Z');

    // Act
    const sessions = [sessionAt(open, 'us_equity', NYSE), sessionAt(close, 'us_equity', NYSE)];

    // Assess
    expect(sessions).toEqual(['regular', 'extended']);
  });

  it('is extended in the pre-market at 05:00', () => {
    // Prepare
    const now = new Date('2026-11-23T10:00:00Z');

    // Act
    const session = sessionAt(now, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('extended');
  });

  it('is closed at 20:30, after the extended session', () => {
    // Prepare
    const now = new Date('2026-11-24T01:30:00Z');

    // Act
    const session = sessionAt(now, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('closed');
  });

  it('is closed at 03:59, before the extended session', () => {
    // Prepare
    const now = new Date('2026-11-23T08:59:00Z');

    // Act
    const session = sessionAt(now, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('closed');
  });

  it('is closed on a Saturday at midday', () => {
    // Prepare
    const now = new Date('2026-11-21T17:00:00Z');

    // Act
    const session = sessionAt(now, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('closed');
  });

  it('is closed on Thanksgiving at midday', () => {
    // Prepare
    const now = new Date('2026-11-26T17:00:00Z');

    // Act
    const session = sessionAt(now, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('closed');
  });

  it('is regular before the 13:00 early close the day after Thanksgiving and extended from it', () => {
    // Prepare
    const beforeClose = new Date('2026-11-27T17:59:00Z');
    const atClose = new Date('2026-11-27T18:00:00Z');
    const afterClose = new Date('2026-11-27T18:30:00Z');

    // Act
    const sessions = [beforeClose, atClose, afterClose].map((now) => sessionAt(now, 'us_equity', NYSE));

    // Assess
    expect(sessions).toEqual(['regular', 'extended', 'extended']);
  });

  it('ends the late session of an early-close day at 17:00, not at the usual 20:00', () => {
    // Prepare
    const lastMinute = new Date('2026-11-27T21:59:00Z');
    const atEnd = new Date('2026-11-27T22:00:00Z');
    const evening = new Date('2026-11-27T22:30:00Z');

    // Act
    const sessions = [lastMinute, atEnd, evening].map((now) => sessionAt(now, 'us_equity', NYSE));

    // Assess
    expect(sessions).toEqual(['extended', 'closed', 'closed']);
  });

  it('ends the late session of an early-close day at the configured extended close when that is earlier', () => {
    // Prepare
    const calendar: MarketCalendar = { ...NYSE, extendedClose: '16:30' };
    const before = new Date('2026-11-27T21:29:00Z');
    const after = new Date('2026-11-27T21:30:00Z');

    // Act
    const sessions = [before, after].map((now) => sessionAt(now, 'us_equity', calendar));

    // Assess
    expect(sessions).toEqual(['extended', 'closed']);
  });

  it('keeps the pre-market of an early-close day', () => {
    // Prepare
    const preMarket = new Date('2026-11-27T09:00:00Z');

    // Act
    const session = sessionAt(preMarket, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('extended');
  });

  it('keeps the late session to 20:00 on an ordinary day: 19:30 the Wednesday before Thanksgiving is extended', () => {
    // Prepare
    const evening = new Date('2026-11-26T00:30:00Z');

    // Act
    const session = sessionAt(evening, 'us_equity', NYSE);

    // Assess
    expect(session).toBe('extended');
  });

  it('follows daylight saving time: 13:45 UTC is regular in July (UTC-4) and pre-market in December (UTC-5)', () => {
    // Prepare
    const july = new Date('2026-07-15T13:45:00Z');
    const december = new Date('2026-12-15T13:45:00Z');

    // Act
    const sessions = [sessionAt(july, 'us_equity', NYSE), sessionAt(december, 'us_equity', NYSE)];

    // Assess
    expect(sessions).toEqual(['regular', 'extended']);
  });

  it('ends the extended session at 20:00 EDT in July: 23:30 UTC is extended, 00:30 UTC is closed', () => {
    // Prepare
    const evening = new Date('2026-07-15T23:30:00Z');
    const night = new Date('2026-07-16T00:30:00Z');

    // Act
    const sessions = [sessionAt(evening, 'us_equity', NYSE), sessionAt(night, 'us_equity', NYSE)];

    // Assess
    expect(sessions).toEqual(['extended', 'closed']);
  });
});

describe('sessionAt for crypto', () => {
  it('is regular at any hour, on weekends and on holidays', () => {
    // Prepare
    const instants = ['2026-11-21T03:00:00Z', '2026-11-26T17:00:00Z', '2026-11-24T01:30:00Z'];

    // Act
    const sessions = instants.map((at) => sessionAt(new Date(at), 'crypto', NYSE));

    // Assess
    expect(sessions).toEqual(['regular', 'regular', 'regular']);
  });
});

describe('localParts', () => {
  it('gives the New York day, weekday and minutes of an instant just after UTC midnight', () => {
    // Prepare
    const now = new Date('2026-11-24T00:30:00Z');

    // Act
    const parts = localParts(now, 'America/New_York');

    // Assess
    expect(parts).toEqual({ day: '2026-11-23', weekday: 1, minutes: 19 * 60 + 30 });
  });

  it('counts minutes from 0 at local midnight', () => {
    // Prepare
    const now = new Date('2026-11-23T05:05:00Z');

    // Act
    const parts = localParts(now, 'America/New_York');

    // Assess
    expect(parts).toEqual({ day: '2026-11-23', weekday: 1, minutes: 5 });
  });
});

describe('localParts across an offset change', () => {
  it("follows a daylight-saving change that falls within a UTC hour (St. John's springs forward at 05:30 UTC)", () => {
    // Prepare
    const instants = [
      '2026-03-08T05:10:00Z',
      '2026-03-08T05:29:59Z',
      '2026-03-08T05:30:00Z',
      '2026-03-08T05:45:00Z',
    ];

    // Act
    const minutes = instants.map((at) => localParts(new Date(at), 'America/St_Johns').minutes);

    // Assess
    expect(minutes).toEqual([1 * 60 + 40, 1 * 60 + 59, 3 * 60, 3 * 60 + 15]);
  });

  it('gives the wall clock of each instant asked in turn, back and forth across the New York change', () => {
    // Prepare
    const after = new Date('2026-11-01T06:30:00Z');
    const before = new Date('2026-11-01T05:30:00Z');

    // Act
    const parts = [after, before, after].map((at) => localParts(at, 'America/New_York'));

    // Assess
    expect(parts).toEqual([
      { day: '2026-11-01', weekday: 0, minutes: 1 * 60 + 30 },
      { day: '2026-11-01', weekday: 0, minutes: 1 * 60 + 30 },
      { day: '2026-11-01', weekday: 0, minutes: 1 * 60 + 30 },
    ]);
  });

  it('keeps the seconds of an old offset: Monrovia ran 44 min 30 s behind UTC until 1972', () => {
    // Prepare
    const early = new Date('1960-06-01T12:00:00Z');
    const late = new Date('1960-06-01T12:00:45Z');

    // Act
    const minutes = [
      localParts(early, 'Africa/Monrovia').minutes,
      localParts(late, 'Africa/Monrovia').minutes,
    ];

    // Assess
    expect(minutes).toEqual([11 * 60 + 15, 11 * 60 + 16]);
  });
});

describe('businessDaysEnding', () => {
  it('counts back over a weekend, newest first', () => {
    // Prepare
    const day = '2026-11-23';

    // Act
    const days = businessDaysEnding(day, 5, NYSE_HOLIDAYS);

    // Assess
    expect(days).toEqual(['2026-11-23', '2026-11-20', '2026-11-19', '2026-11-18', '2026-11-17']);
  });

  it('skips a holiday and the weekend', () => {
    // Prepare
    const day = '2026-11-30';

    // Act
    const days = businessDaysEnding(day, 5, NYSE_HOLIDAYS);

    // Assess
    expect(days).toEqual(['2026-11-30', '2026-11-27', '2026-11-25', '2026-11-24', '2026-11-23']);
  });

  it('answers for the holidays it is given, whatever it was asked before', () => {
    // Prepare
    const day = '2026-11-27';
    businessDaysEnding(day, 3, NYSE_HOLIDAYS);

    // Act
    const days = businessDaysEnding(day, 3, []);

    // Assess
    expect(days).toEqual(['2026-11-27', '2026-11-26', '2026-11-25']);
  });

  it('starts from the last business day when the day itself is a weekend day', () => {
    // Prepare
    const day = '2026-11-22';

    // Act
    const days = businessDaysEnding(day, 2, NYSE_HOLIDAYS);

    // Assess
    expect(days).toEqual(['2026-11-20', '2026-11-19']);
  });
});

describe('assetClassOf with the default crypto pattern', () => {
  const pattern = new RegExp(CRYPTO_PATTERN);

  it.each([
    ['BTC/USD', 'crypto'],
    ['BTCUSD', 'crypto'],
    ['ETHUSDT', 'crypto'],
    ['AAPL', 'us_equity'],
    ['EURUSD', 'us_equity'],
  ] as const)('classes %s as %s', (symbol, assetClass) => {
    // Prepare
    const wanted = assetClass;

    // Act
    const found = assetClassOf(symbol, pattern);

    // Assess
    expect(found).toBe(wanted);
  });
});
