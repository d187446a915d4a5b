import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type ManualClock, manualClock, startHarness } from '../support/app-harness.ts';

// Instants in UTC; New York is UTC-5 in late November 2026.
const MONDAY_10_00 = '2026-11-23T15:00:00Z';
const MONDAY_08_00 = '2026-11-23T13:00:00Z';
const MONDAY_17_30 = '2026-11-23T22:30:00Z';
const MONDAY_21_00 = '2026-11-24T02:00:00Z';
const SATURDAY_12_00 = '2026-11-21T17:00:00Z';
const THANKSGIVING_11_00 = '2026-11-26T16:00:00Z';
const DAY_AFTER_THANKSGIVING_14_00 = '2026-11-27T19:00:00Z';

interface Case {
  name: string;
  at: string;
  fields: Record<string, unknown>;
  expected: { http: number; status: string; code?: string };
}

const cases: Case[] = [
  {
    name: 'accepts a market buy on Monday 2026-11-23 at 10:00 in New York',
    at: MONDAY_10_00,
    fields: { symbol: 'AAPL', action: 'buy', quantity: 1, price: 190 },
    expected: { http: 200, status: 'accepted' },
  },
  {
    name: 'denies a market buy on Saturday with MARKET_CLOSED',
    at: SATURDAY_12_00,
    fields: { symbol: 'MSFT', action: 'buy', quantity: 1, price: 400 },
    expected: { http: 422, status: 'denied', code: 'MARKET_CLOSED' },
  },
  {
    name: 'denies an extended-hours limit buy on Saturday with MARKET_CLOSED',
    at: SATURDAY_12_00,
    fields: {
      symbol: 'MSFT',
      action: 'buy',
      quantity: 1,
      type: 'limit',
      limit_price: 400,
      extended_hours: true,
    },
    expected: { http: 422, status: 'denied', code: 'MARKET_CLOSED' },
  },
  {
    name: 'denies a market buy on Thanksgiving with MARKET_CLOSED',
    at: THANKSGIVING_11_00,
    fields: { symbol: 'MSFT', action: 'buy', quantity: 1, price: 401 },
    expected: { http: 422, status: 'denied', code: 'MARKET_CLOSED' },
  },
  {
    name: 'denies a market buy at 14:00 the day after Thanksgiving: the session closed at 13:00',
    at: DAY_AFTER_THANKSGIVING_14_00,
    fields: { symbol: 'MSFT', action: 'buy', quantity: 1, price: 402 },
    expected: { http: 422, status: 'denied', code: 'EXTENDED_HOURS_LIMIT_ONLY' },
  },
  {
    name: 'accepts a pre-market limit buy that asks for extended hours',
    at: MONDAY_08_00,
    fields: {
      symbol: 'NVDA',
      action: 'buy',
      quantity: 2,
      type: 'limit',
      limit_price: 90,
      extended_hours: true,
    },
    expected: { http: 200, status: 'accepted' },
  },
  {
    name: 'denies a pre-market market buy with EXTENDED_HOURS_LIMIT_ONLY',
    at: MONDAY_08_00,
    fields: { symbol: 'AMD', action: 'buy', quantity: 1, price: 120, extended_hours: true },
    expected: { http: 422, status: 'denied', code: 'EXTENDED_HOURS_LIMIT_ONLY' },
  },
  {
    name: 'denies a pre-market limit buy that does not ask for extended hours',
    at: MONDAY_08_00,
    fields: { symbol: 'AMD', action: 'buy', quantity: 1, type: 'limit', limit_price: 120 },
    expected: { http: 422, status: 'denied', code: 'EXTENDED_HOURS_LIMIT_ONLY' },
  },
  {
    name: 'accepts an after-hours limit buy that asks for extended hours',
    at: MONDAY_17_30,
    fields: {
      symbol: 'INTC',
      action: 'buy',
      quantity: 3,
      type: 'limit',
      limit_price: 30,
      extended_hours: true,
    },
    expected: { http: 200, status: 'accepted' },
  },
  {
    name: 'denies an extended-hours limit buy after 20:00 with MARKET_CLOSED',
    at: MONDAY_21_00,
    fields: {
      symbol: 'INTC',
      action: 'buy',
      quantity: 3,
      type: 'limit',
      limit_price: 31,
      extended_hours: true,
    },
    expected: { http: 422, status: 'denied', code: 'MARKET_CLOSED' },
  },
  {
    name: 'accepts a BTC/USD buy on Saturday: crypto trades around the clock',
    at: SATURDAY_12_00,
    fields: { symbol: 'BTC/USD', action: 'buy', quantity: 1, price: 50_000 },
    expected: { http: 200, status: 'accepted' },
  },
];

describe('market hours enforced, at fixed moments of the harness clock', () => {
  let h: Harness;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = manualClock(MONDAY_10_00);
    h = await startHarness({ now: clock.now, env: { PINEBRIDGE__MARKET__ENFORCE_HOURS: 'true' } });
  });
  afterAll(() => h.close());

  for (const { name, at, fields, expected } of cases) {
    it(name, async () => {
      // Prepare: the alert fired at the moment the clock shows, so it is neither stale nor early
      clock.set(at);
      const body = h.alert({ ...fields, time: at });

      // Act
      const { status, answer } = await h.post(body);

      // Assess
      expect(status, answer.message).toBe(expected.http);
      expect(answer).toMatchObject({
        status: expected.status,
        ...(expected.code ? { code: expected.code } : {}),
      });
      const orders = await h.orders();
      expect(orders.some((order) => order.alertId === answer.alertId)).toBe(expected.http === 200);
    });
  }
});
