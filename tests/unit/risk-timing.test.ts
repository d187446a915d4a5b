import { describe, expect, it } from 'vitest';
import { rateBuckets } from '../../src/domain/book.ts';
import type { DenialCode } from '../../src/domain/denial.ts';
import { checkOrder, type RiskLimits } from '../../src/domain/risk.ts';
import { aBook, aContext, anIntent, NOW, TODAY } from './builders.ts';
import { denialOf, NO_LIMITS, REDUCE, reservationOf } from './risk-results.ts';

/** The ISO time `seconds` after NOW (before it when negative). */
function secondsFromNow(seconds: number): string {
  return new Date(NOW.getTime() + seconds * 1000).toISOString();
}

/** A book holding 10 AAPL at 100, the long REDUCE sells from. */
const LONG = { AAPL: { qty: 10, avgPrice: 100 } };

describe('checkOrder alert time', () => {
  const limits: RiskLimits = { symbolAllowlist: [], maxAlertAgeSeconds: 60, maxFutureSkewSeconds: 5 };

  it('denies an alert older than the allowed lag', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(-61) });

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent(), limits, context));

    // Assess
    expect(denial).toMatchObject({ code: 'STALE_ALERT', limit: 60, current: 61 });
  });

  it('denies a stale alert even when it would reduce a position', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(-120) });

    // Act
    const denial = denialOf(checkOrder(aBook({ symbols: LONG }), REDUCE, limits, context));

    // Assess
    expect(denial).toMatchObject({ code: 'STALE_ALERT', limit: 60, current: 120 });
  });

  it('rounds the age of a stale alert up to whole seconds', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(-60.001) });

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent(), limits, context));

    // Assess
    expect(denial).toMatchObject({
      code: 'STALE_ALERT',
      limit: 60,
      current: 61,
      message: 'the alert is 61 s old',
    });
  });

  it('passes an alert exactly as old as the allowed lag', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(-60) });

    // Act
    const reservation = reservationOf(checkOrder(aBook(), anIntent(), limits, context));

    // Assess
    expect(reservation.alertTime).toBe('2026-11-23T14:59:00.000Z');
  });

  it('denies an alert from further in the future than the allowed skew', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(6) });

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent(), limits, context));

    // Assess
    expect(denial).toMatchObject({ code: 'ALERT_FROM_FUTURE', limit: 5, current: 6 });
  });

  it('rounds how far ahead an alert from the future is up to whole seconds', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(5.2) });

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent(), limits, context));

    // Assess
    expect(denial).toMatchObject({
      code: 'ALERT_FROM_FUTURE',
      limit: 5,
      current: 6,
      message: "the alert's time is 6 s ahead of ours",
    });
  });

  it('passes an alert exactly as far ahead as the allowed skew', () => {
    // Prepare
    const context = aContext({ alertTime: secondsFromNow(5) });

    // Act
    const result = checkOrder(aBook(), anIntent(), limits, context);

    // Assess
    expect(result.ok).toBe(true);
  });

  it('passes an alert without a time', () => {
    // Prepare
    const context = aContext({ alertTime: undefined });

    // Act
    const reservation = reservationOf(checkOrder(aBook(), anIntent(), limits, context));

    // Assess
    expect(reservation.alertTime).toBeUndefined();
  });
});

describe('checkOrder alert order', () => {
  const newest = secondsFromNow(-10);

  it('denies an alert older than the newest one applied for the symbol', () => {
    // Prepare
    const book = aBook({ lastAlertAt: { AAPL: newest } });

    // Act
    const denial = denialOf(
      checkOrder(book, anIntent(), NO_LIMITS, aContext({ alertTime: secondsFromNow(-20) })),
    );

    // Assess
    expect(denial).toEqual({
      code: 'OUT_OF_ORDER_ALERT',
      message: `a newer AAPL alert (${newest}) was already applied`,
    });
  });

  it('denies an out-of-order alert that would reduce a position', () => {
    // Prepare
    const book = aBook({ symbols: LONG, lastAlertAt: { AAPL: newest } });

    // Act
    const denial = denialOf(
      checkOrder(book, REDUCE, NO_LIMITS, aContext({ alertTime: secondsFromNow(-20) })),
    );

    // Assess
    expect(denial.code).toBe('OUT_OF_ORDER_ALERT');
  });

  it('passes an alert with the same time as the newest one and reserves its time', () => {
    // Prepare
    const book = aBook({ lastAlertAt: { AAPL: newest } });

    // Act
    const reservation = reservationOf(
      checkOrder(book, anIntent(), NO_LIMITS, aContext({ alertTime: newest })),
    );

    // Assess
    expect(reservation.alertTime).toBe(newest);
  });

  it('ignores a newer alert of another symbol', () => {
    // Prepare
    const book = aBook({ lastAlertAt: { MSFT: newest } });

    // Act
    const result = checkOrder(book, anIntent(), NO_LIMITS, aContext({ alertTime: secondsFromNow(-20) }));

    // Assess
    expect(result.ok).toBe(true);
  });

  it('passes an older alert and reserves no time when out-of-order protection is off', () => {
    // Prepare
    const book = aBook({ lastAlertAt: { AAPL: newest } });
    const limits: RiskLimits = { symbolAllowlist: [], rejectOutOfOrder: false };

    // Act
    const reservation = reservationOf(
      checkOrder(book, anIntent(), limits, aContext({ alertTime: secondsFromNow(-20) })),
    );

    // Assess
    expect(reservation.alertTime).toBeUndefined();
  });
});

describe('checkOrder market hours', () => {
  it('denies an order while the market is closed', () => {
    // Prepare
    const context = aContext({ session: 'closed' });

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent(), NO_LIMITS, context));

    // Assess
    expect(denial).toEqual({ code: 'MARKET_CLOSED', message: 'the us_equity market is closed' });
  });

  it('denies a reducing order while the market is closed', () => {
    // Prepare
    const context = aContext({ session: 'closed' });

    // Act
    const denial = denialOf(checkOrder(aBook({ symbols: LONG }), REDUCE, NO_LIMITS, context));

    // Assess
    expect(denial.code).toBe('MARKET_CLOSED');
  });

  it('denies a market order in extended hours even when the alert asks for extended hours', () => {
    // Prepare
    const context = aContext({ session: 'extended', extendedHours: true });

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent({ type: 'market' }), NO_LIMITS, context));

    // Assess
    expect(denial).toEqual({ code: 'EXTENDED_HOURS_LIMIT_ONLY', message: expect.stringContaining('limit') });
  });

  it('denies a limit order in extended hours when the alert did not ask for extended hours', () => {
    // Prepare
    const intent = anIntent({ type: 'limit', limitPrice: 100 });
    const context = aContext({ session: 'extended', extendedHours: false });

    // Act
    const denial = denialOf(checkOrder(aBook(), intent, NO_LIMITS, context));

    // Assess
    expect(denial.code).toBe('EXTENDED_HOURS_LIMIT_ONLY');
  });

  it('passes a limit order in extended hours when the alert asks for extended hours', () => {
    // Prepare
    const intent = anIntent({ type: 'limit', limitPrice: 100 });
    const context = aContext({ session: 'extended', extendedHours: true });

    // Act
    const reservation = reservationOf(checkOrder(aBook(), intent, NO_LIMITS, context));

    // Assess
    expect(reservation).toMatchObject({ effect: 'open', qty: 10 });
  });

  it('passes a market order in the regular session', () => {
    // Prepare
    const context = aContext({ session: 'regular' });

    // Act
    const result = checkOrder(aBook(), anIntent({ type: 'market' }), NO_LIMITS, context);

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder price band', () => {
  const limits: RiskLimits = { symbolAllowlist: [], priceBandPercent: 5 };
  const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 90, lastPrice: 100 } } });

  it('denies an alert price further from the last known price than the band', () => {
    // Prepare
    const context = aContext({ alertPrice: 106 });

    // Act
    const denial = denialOf(checkOrder(book, anIntent({ referencePrice: 106 }), limits, context));

    // Assess
    expect(denial).toMatchObject({ code: 'PRICE_OUT_OF_BAND', limit: 5, current: 6, requested: 106 });
  });

  it('denies a reducing order whose alert price is below the band', () => {
    // Prepare
    const context = aContext({ alertPrice: 90 });

    // Act
    const denial = denialOf(checkOrder(book, REDUCE, limits, context));

    // Assess
    expect(denial).toMatchObject({ code: 'PRICE_OUT_OF_BAND', limit: 5, current: 10, requested: 90 });
  });

  it('passes an alert price exactly at the edge of the band', () => {
    // Prepare
    const context = aContext({ alertPrice: 95 });

    // Act
    const result = checkOrder(book, anIntent({ referencePrice: 95 }), limits, context);

    // Assess
    expect(result.ok).toBe(true);
  });

  it('passes any alert price for a symbol without a last known price', () => {
    // Prepare
    const context = aContext({ alertPrice: 1000 });

    // Act
    const result = checkOrder(aBook(), anIntent({ symbol: 'NVDA', referencePrice: 1000 }), limits, context);

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder order rates', () => {
  const buckets = rateBuckets(NOW, TODAY, 'trend');
  const cases: Array<{ name: string; bucket: string | undefined; limits: RiskLimits; code: DenialCode }> = [
    {
      name: 'account minute',
      bucket: buckets.minute,
      limits: { symbolAllowlist: [], maxOrdersPerMinute: 5 },
      code: 'MAX_ORDERS_PER_MINUTE',
    },
    {
      name: 'account day',
      bucket: buckets.day,
      limits: { symbolAllowlist: [], maxOrdersPerDay: 5 },
      code: 'MAX_ORDERS_PER_DAY',
    },
    {
      name: 'strategy minute',
      bucket: buckets.strategyMinute,
      limits: { symbolAllowlist: [], maxStrategyOrdersPerMinute: 5 },
      code: 'MAX_STRATEGY_ORDERS_PER_MINUTE',
    },
    {
      name: 'strategy day',
      bucket: buckets.strategyDay,
      limits: { symbolAllowlist: [], maxStrategyOrdersPerDay: 5 },
      code: 'MAX_STRATEGY_ORDERS_PER_DAY',
    },
  ];

  it.each(cases)('denies an order when the $name counter is at its limit', ({ bucket, limits, code }) => {
    // Prepare
    const book = aBook({ rates: { [String(bucket)]: 5 } });

    // Act
    const denial = denialOf(checkOrder(book, anIntent(), limits, aContext({ strategy: 'trend' })));

    // Assess
    expect(denial).toMatchObject({ code, limit: 5, current: 5 });
  });

  it.each(cases)('passes under the $name limit and reserves its counter', ({ bucket, limits }) => {
    // Prepare
    const book = aBook({ rates: { [String(bucket)]: 4 } });

    // Act
    const reservation = reservationOf(checkOrder(book, anIntent(), limits, aContext({ strategy: 'trend' })));

    // Assess
    expect(reservation.rates).toEqual([{ bucket, max: 5 }]);
  });

  it('denies a reducing order when the account minute counter is at its limit', () => {
    // Prepare
    const book = aBook({ symbols: LONG, rates: { [buckets.minute]: 3 } });
    const limits: RiskLimits = { symbolAllowlist: [], maxOrdersPerMinute: 3 };

    // Act
    const denial = denialOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_ORDERS_PER_MINUTE', limit: 3, current: 3 });
  });

  it("does not count a past minute's orders against the minute limit", () => {
    // Prepare
    const book = aBook({ rates: { 'm:2026-11-23T14:59': 3 } });
    const limits: RiskLimits = { symbolAllowlist: [], maxOrdersPerMinute: 3 };

    // Act
    const reservation = reservationOf(checkOrder(book, anIntent(), limits, aContext()));

    // Assess
    expect(reservation.rates).toEqual([{ bucket: 'm:2026-11-23T15:00', max: 3 }]);
  });

  it('applies no strategy rate limit to an order that names no strategy', () => {
    // Prepare
    const limits: RiskLimits = {
      symbolAllowlist: [],
      maxStrategyOrdersPerMinute: 1,
      maxStrategyOrdersPerDay: 1,
    };

    // Act
    const reservation = reservationOf(checkOrder(aBook(), anIntent(), limits, aContext()));

    // Assess
    expect(reservation.rates).toEqual([]);
  });
});
