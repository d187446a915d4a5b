import { describe, expect, it } from 'vitest';
import { checkOrder, type RiskLimits } from '../../src/domain/risk.ts';
import { AT, aBook, aContext, anIntent, NOW, TODAY } from './builders.ts';
import { denialOf, NO_LIMITS, REDUCE, reservationOf } from './risk-results.ts';

/** The ISO time `seconds` before NOW. */
function secondsAgo(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

/** The broker's account figures with `buyingPower` (and equity well above the PDT minimum). */
function brokerWith(buyingPower: number, equity = 100_000) {
  return { equity, cash: buyingPower, buyingPower, at: AT };
}

describe('checkOrder symbol denylist and asset class', () => {
  it('denies an opening order for a symbol on the denylist', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: [], symbolDenylist: ['GME'] };

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent({ symbol: 'GME' }), limits, aContext()));

    // Assess
    expect(denial).toEqual({ code: 'SYMBOL_DENIED', message: 'GME is in risk.symbolDenylist' });
  });

  it('names the denylist when a symbol is on both the allowlist and the denylist', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: ['GME'], symbolDenylist: ['GME'] };

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent({ symbol: 'GME' }), limits, aContext()));

    // Assess
    expect(denial.code).toBe('SYMBOL_DENIED');
  });

  it('lets a reducing order through for a denylisted symbol, so no position is trapped', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100 } } });
    const limits: RiskLimits = { symbolAllowlist: [], symbolDenylist: ['AAPL'] };

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation).toMatchObject({ effect: 'reduce', qty: 5, heldQty: 10 });
  });

  it('denies a crypto order when only US equities are allowed', () => {
    // Prepare
    const intent = anIntent({ symbol: 'BTC/USD', qty: 0.5, referencePrice: 60_000 });
    const limits: RiskLimits = { symbolAllowlist: [], allowedAssetClasses: ['us_equity'] };

    // Act
    const denial = denialOf(checkOrder(aBook(), intent, limits, aContext({ assetClass: 'crypto' })));

    // Assess
    expect(denial).toEqual({
      code: 'ASSET_CLASS_NOT_ALLOWED',
      message: 'crypto is not in risk.allowedAssetClasses',
    });
  });

  it('passes a US equity order when only US equities are allowed', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: [], allowedAssetClasses: ['us_equity'] };

    // Act
    const result = checkOrder(aBook(), anIntent(), limits, aContext({ assetClass: 'us_equity' }));

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder minimum order notional', () => {
  it('denies an order under the minimum notional', () => {
    // Prepare
    const intent = anIntent({ qty: 9, referencePrice: 100 });

    // Act
    const denial = denialOf(
      checkOrder(aBook(), intent, { symbolAllowlist: [], minOrderNotional: 1000 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MIN_ORDER_NOTIONAL', limit: 1000, requested: 900 });
  });

  it('passes an order exactly at the minimum notional', () => {
    // Prepare
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const reservation = reservationOf(
      checkOrder(aBook(), intent, { symbolAllowlist: [], minOrderNotional: 1000 }, aContext()),
    );

    // Assess
    expect(reservation.notional).toBe(1000);
  });

  it('denies an order without a price when a minimum notional is set', () => {
    // Prepare
    const intent = anIntent({ referencePrice: undefined });

    // Act
    const denial = denialOf(
      checkOrder(aBook(), intent, { symbolAllowlist: [], minOrderNotional: 1000 }, aContext()),
    );

    // Assess
    expect(denial.code).toBe('PRICE_UNKNOWN');
  });
});

describe('checkOrder strategy exposure', () => {
  const limits: RiskLimits = { symbolAllowlist: [], maxStrategyExposure: 5000 };

  it("denies an order that takes the strategy's exposure over the limit", () => {
    // Prepare
    const book = aBook({ strategies: { trend: { exposure: 4500 } } });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const denial = denialOf(checkOrder(book, intent, limits, aContext({ strategy: 'trend' })));

    // Assess
    expect(denial).toMatchObject({
      code: 'MAX_STRATEGY_EXPOSURE',
      limit: 5000,
      current: 4500,
      requested: 1000,
    });
  });

  it("passes an order that takes the strategy's exposure exactly to the limit", () => {
    // Prepare
    const book = aBook({ strategies: { trend: { exposure: 4000 } } });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const reservation = reservationOf(checkOrder(book, intent, limits, aContext({ strategy: 'trend' })));

    // Assess
    expect(reservation).toMatchObject({ strategy: 'trend', maxStrategyExposureBefore: 4000 });
  });

  it('counts a strategy the book has never seen as having no exposure', () => {
    // Prepare
    const intent = anIntent({ qty: 60, referencePrice: 100 });

    // Act
    const denial = denialOf(checkOrder(aBook(), intent, limits, aContext({ strategy: 'fresh' })));

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_STRATEGY_EXPOSURE', current: 0, requested: 6000 });
  });

  it('does not limit an order that names no strategy', () => {
    // Prepare
    const book = aBook({ strategies: { trend: { exposure: 5000 } } });

    // Act
    const reservation = reservationOf(checkOrder(book, anIntent(), limits, aContext()));

    // Assess
    expect(reservation).toMatchObject({ strategy: undefined, maxStrategyExposureBefore: undefined });
  });

  it('lets a reducing order through when the strategy is over its exposure', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100 } },
      strategies: { trend: { exposure: 9000 } },
    });

    // Act
    const result = checkOrder(book, REDUCE, limits, aContext({ strategy: 'trend' }));

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder daily loss with unrealized P&L', () => {
  /** Realized -200 today, AAPL long 10 from 100 now at 70 (-300), MSFT short 5 from 400 now at 380 (+100). */
  function losingBook() {
    return aBook({
      pnlDay: TODAY,
      dayRealizedPnl: -200,
      symbols: {
        AAPL: { qty: 10, avgPrice: 100, lastPrice: 70 },
        MSFT: { qty: -5, avgPrice: 400, lastPrice: 380 },
        SPY: { qty: 2, avgPrice: 500 },
      },
    });
  }

  it('denies an opening order once realized plus unrealized loss reaches the limit', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: [], maxDailyLossWithUnrealized: 400 };

    // Act
    const denial = denialOf(checkOrder(losingBook(), anIntent({ symbol: 'NVDA' }), limits, aContext()));

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_DAILY_LOSS_WITH_UNREALIZED', limit: 400, current: 400 });
  });

  it('passes an opening order while realized plus unrealized loss is under the limit', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: [], maxDailyLossWithUnrealized: 400.01 };

    // Act
    const result = checkOrder(losingBook(), anIntent({ symbol: 'NVDA' }), limits, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });

  it('counts unrealized loss alone when the realized figure belongs to another day', () => {
    // Prepare
    const book = aBook({
      pnlDay: '2026-11-20',
      dayRealizedPnl: -10_000,
      symbols: { AAPL: { qty: 10, avgPrice: 100, lastPrice: 70 } },
    });
    const limits: RiskLimits = { symbolAllowlist: [], maxDailyLossWithUnrealized: 300 };

    // Act
    const denial = denialOf(checkOrder(book, anIntent({ symbol: 'NVDA' }), limits, aContext()));

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_DAILY_LOSS_WITH_UNREALIZED', limit: 300, current: 300 });
  });

  it('lets a reducing order through at the limit', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: [], maxDailyLossWithUnrealized: 100 };

    // Act
    const result = checkOrder(losingBook(), REDUCE, limits, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder buying power', () => {
  const limits: RiskLimits = { symbolAllowlist: [], checkBuyingPower: true };

  it('denies an order that needs more buying power than pending orders leave', () => {
    // Prepare
    const book = aBook({ broker: brokerWith(5000), pendingNotional: 4500 });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const denial = denialOf(checkOrder(book, intent, limits, aContext()));

    // Assess
    expect(denial).toMatchObject({
      code: 'INSUFFICIENT_BUYING_POWER',
      limit: 5000,
      current: 4500,
      requested: 1000,
    });
  });

  it('passes an order that uses exactly the buying power left and reserves against it', () => {
    // Prepare
    const book = aBook({ broker: brokerWith(5000), pendingNotional: 4000 });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const reservation = reservationOf(checkOrder(book, intent, limits, aContext()));

    // Assess
    expect(reservation).toMatchObject({ notional: 1000, maxPendingNotionalBefore: 4000 });
  });

  it('does not check buying power while the account figures are unknown', () => {
    // Prepare
    const book = aBook({ pendingNotional: 1_000_000 });

    // Act
    const reservation = reservationOf(checkOrder(book, anIntent(), limits, aContext()));

    // Assess
    expect(reservation.maxPendingNotionalBefore).toBeUndefined();
  });

  it('does not check buying power when the check is turned off', () => {
    // Prepare
    const book = aBook({ broker: brokerWith(0), pendingNotional: 4500 });

    // Act
    const reservation = reservationOf(
      checkOrder(book, anIntent(), { symbolAllowlist: [], checkBuyingPower: false }, aContext()),
    );

    // Assess
    expect(reservation.maxPendingNotionalBefore).toBeUndefined();
  });

  it('skips the buying-power check for an order without a price, leaving it to the broker', () => {
    // Prepare
    const book = aBook({ broker: brokerWith(0), pendingNotional: 4500 });

    // Act
    const reservation = reservationOf(
      checkOrder(book, anIntent({ referencePrice: undefined }), limits, aContext()),
    );

    // Assess
    expect(reservation).toMatchObject({ notional: 0, maxPendingNotionalBefore: undefined });
  });

  it('lets a reducing order through with no buying power left', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100 } },
      broker: brokerWith(0),
      pendingNotional: 4500,
    });

    // Act
    const result = checkOrder(book, REDUCE, limits, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder orders without a price', () => {
  const unpriced = anIntent({ referencePrice: undefined });

  it.each<[string, RiskLimits]>([
    ['maxOrderNotional', { symbolAllowlist: [], maxOrderNotional: 5000 }],
    ['minOrderNotional', { symbolAllowlist: [], minOrderNotional: 100 }],
    ['maxPositionNotional', { symbolAllowlist: [], maxPositionNotional: 5000 }],
    ['maxTotalExposure', { symbolAllowlist: [], maxTotalExposure: 5000 }],
    ['maxStrategyExposure', { symbolAllowlist: [], maxStrategyExposure: 5000 }],
  ])('denies an opening order without a price when %s is set', (_name, limits) => {
    // Act
    const denial = denialOf(checkOrder(aBook(), unpriced, limits, aContext({ strategy: 'trend' })));

    // Assess
    expect(denial.code).toBe('PRICE_UNKNOWN');
  });

  it('passes an opening order without a price when only quantity, count and buying-power limits are set', () => {
    // Prepare
    const limits: RiskLimits = {
      symbolAllowlist: [],
      maxOrderQty: 10,
      maxPositionQty: 10,
      maxOpenPositions: 1,
      checkBuyingPower: true,
    };
    const book = aBook({ broker: brokerWith(5000) });

    // Act
    const reservation = reservationOf(checkOrder(book, unpriced, limits, aContext()));

    // Assess
    expect(reservation).toMatchObject({
      notional: 0,
      maxCommittedBefore: 0,
      maxOpenPositions: 1,
      maxPendingNotionalBefore: undefined,
    });
  });
});

describe('checkOrder strategy cooldown', () => {
  const context = aContext({ strategy: 'trend', cooldownSeconds: 300 });

  it("denies an opening order while the strategy's cooldown after its last fill runs", () => {
    // Prepare
    const book = aBook({ strategies: { trend: { exposure: 0, lastFillAt: secondsAgo(120) } } });

    // Act
    const denial = denialOf(checkOrder(book, anIntent(), NO_LIMITS, context));

    // Assess
    expect(denial).toMatchObject({ code: 'STRATEGY_COOLDOWN', limit: 300, current: 120 });
  });

  it('passes once the cooldown is exactly over and reserves against the last fill time', () => {
    // Prepare
    const book = aBook({ strategies: { trend: { exposure: 0, lastFillAt: secondsAgo(300) } } });

    // Act
    const reservation = reservationOf(checkOrder(book, anIntent(), NO_LIMITS, context));

    // Assess
    expect(reservation.cooldownUntil).toBe('2026-11-23T14:55:00.000Z');
  });

  it('passes a strategy that has never filled', () => {
    // Prepare
    const book = aBook();

    // Act
    const reservation = reservationOf(checkOrder(book, anIntent(), NO_LIMITS, context));

    // Assess
    expect(reservation).toMatchObject({ strategy: 'trend', cooldownUntil: '2026-11-23T14:55:00.000Z' });
  });

  it('does not cool down a strategy without a configured cooldown', () => {
    // Prepare
    const book = aBook({ strategies: { trend: { exposure: 0, lastFillAt: secondsAgo(1) } } });

    // Act
    const reservation = reservationOf(
      checkOrder(book, anIntent(), NO_LIMITS, aContext({ strategy: 'trend' })),
    );

    // Assess
    expect(reservation.cooldownUntil).toBeUndefined();
  });

  it('lets a reducing order through during the cooldown', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100 } },
      strategies: { trend: { exposure: 1000, lastFillAt: secondsAgo(1) } },
    });

    // Act
    const result = checkOrder(book, REDUCE, NO_LIMITS, context);

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder reservation of the account-wide checks', () => {
  const limits: RiskLimits = {
    symbolAllowlist: [],
    maxStrategyExposure: 10_000,
    checkBuyingPower: true,
    maxOrdersPerMinute: 10,
    maxOrdersPerDay: 100,
    maxStrategyOrdersPerMinute: 2,
    maxStrategyOrdersPerDay: 20,
    maxAlertAgeSeconds: 60,
  };
  const context = aContext({
    strategy: 'trend',
    cooldownSeconds: 300,
    alertTime: secondsAgo(5),
    alertPrice: 100,
  });

  it('carries the rate counters, alert time, strategy, exposure, buying power and cooldown conditions', () => {
    // Prepare
    const book = aBook({
      strategies: { trend: { exposure: 1000, lastFillAt: secondsAgo(600) } },
      broker: brokerWith(20_000),
      pendingNotional: 3000,
    });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const reservation = reservationOf(checkOrder(book, intent, limits, context));

    // Assess
    expect(reservation).toEqual({
      symbol: 'AAPL',
      effect: 'open',
      qty: 10,
      notional: 1000,
      allowedStates: ['ACTIVE'],
      today: TODAY,
      rates: [
        { bucket: 'm:2026-11-23T15:00', max: 10 },
        { bucket: 'd:2026-11-23', max: 100 },
        { bucket: 'sm:trend:2026-11-23T15:00', max: 2 },
        { bucket: 'sd:trend:2026-11-23', max: 20 },
      ],
      alertTime: '2026-11-23T14:59:55.000Z',
      strategy: 'trend',
      maxCommittedBefore: undefined,
      maxOpenPositions: undefined,
      maxExposureBefore: undefined,
      maxStrategyExposureBefore: 9000,
      minDayRealizedPnl: undefined,
      maxPendingNotionalBefore: 19_000,
      cooldownUntil: '2026-11-23T14:55:00.000Z',
    });
  });

  it('carries the rate counters, alert time and strategy on a reducing order too', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100 } }, broker: brokerWith(0) });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, context));

    // Assess
    expect(reservation).toEqual({
      symbol: 'AAPL',
      effect: 'reduce',
      qty: 5,
      notional: 0,
      allowedStates: ['ACTIVE', 'REDUCING'],
      today: TODAY,
      rates: [
        { bucket: 'm:2026-11-23T15:00', max: 10 },
        { bucket: 'd:2026-11-23', max: 100 },
        { bucket: 'sm:trend:2026-11-23T15:00', max: 2 },
        { bucket: 'sd:trend:2026-11-23', max: 20 },
      ],
      alertTime: '2026-11-23T14:59:55.000Z',
      strategy: 'trend',
      heldQty: 10,
      maxReducingBefore: 5,
    });
  });
});
