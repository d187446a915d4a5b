import { describe, expect, it } from 'vitest';
import { checkOrder, type RiskLimits } from '../../src/domain/risk.ts';
import { aBook, aContext, anIntent, TODAY } from './builders.ts';
import { denialOf, NO_LIMITS, REDUCE, reservationOf } from './risk-results.ts';

describe('checkOrder trading state and allowlist', () => {
  it('denies an opening order when trading is halted', () => {
    // Prepare
    const book = aBook({ tradingState: 'HALTED' });

    // Act
    const denial = denialOf(checkOrder(book, anIntent(), NO_LIMITS, aContext()));

    // Assess
    expect(denial).toEqual({ code: 'TRADING_HALTED', message: 'trading is halted' });
  });

  it('denies a reducing order when trading is halted', () => {
    // Prepare
    const book = aBook({ tradingState: 'HALTED', symbols: { AAPL: { qty: 10, avgPrice: 100 } } });

    // Act
    const denial = denialOf(checkOrder(book, REDUCE, NO_LIMITS, aContext()));

    // Assess
    expect(denial).toEqual({ code: 'TRADING_HALTED', message: 'trading is halted' });
  });

  it('denies an opening order when trading is reduce-only', () => {
    // Prepare
    const book = aBook({ tradingState: 'REDUCING' });

    // Act
    const denial = denialOf(checkOrder(book, anIntent(), NO_LIMITS, aContext()));

    // Assess
    expect(denial).toEqual({ code: 'TRADING_REDUCING', message: expect.stringContaining('reduce-only') });
  });

  it('passes a reducing order when trading is reduce-only', () => {
    // Prepare
    const book = aBook({ tradingState: 'REDUCING', symbols: { AAPL: { qty: 10, avgPrice: 100 } } });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, NO_LIMITS, aContext()));

    // Assess
    expect(reservation).toMatchObject({ effect: 'reduce', allowedStates: ['ACTIVE', 'REDUCING'] });
  });

  it('denies a symbol outside a non-empty allowlist', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: ['MSFT', 'SPY'] };

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent({ symbol: 'AAPL' }), limits, aContext()));

    // Assess
    expect(denial.code).toBe('SYMBOL_NOT_ALLOWED');
  });

  it('lets a reducing order through for a symbol taken off the allowlist, so no position is trapped', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100 } } });
    const limits: RiskLimits = { symbolAllowlist: ['MSFT'] };

    // Act
    const result = checkOrder(book, REDUCE, limits, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });

  it('denies an opening order for a symbol outside the allowlist', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: ['MSFT'] };

    // Act
    const denial = denialOf(checkOrder(aBook(), anIntent({ symbol: 'AAPL' }), limits, aContext()));

    // Assess
    expect(denial.code).toBe('SYMBOL_NOT_ALLOWED');
  });

  it('passes a symbol in the allowlist', () => {
    // Prepare
    const limits: RiskLimits = { symbolAllowlist: ['AAPL'] };

    // Act
    const result = checkOrder(aBook(), anIntent({ symbol: 'AAPL' }), limits, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });

  it('passes any symbol when the allowlist is empty', () => {
    // Prepare
    const intent = anIntent({ symbol: 'BRK.B' });

    // Act
    const result = checkOrder(aBook(), intent, NO_LIMITS, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder reducing orders', () => {
  it('passes every limit and reserves against the quantity held', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100, reducing: 2 }, MSFT: { qty: 1, avgPrice: 400 } },
      pnlDay: TODAY,
      dayRealizedPnl: -10_000,
    });
    const limits: RiskLimits = {
      symbolAllowlist: [],
      maxOrderQty: 1,
      maxOrderNotional: 1,
      maxPositionQty: 1,
      maxPositionNotional: 1,
      maxOpenPositions: 1,
      maxTotalExposure: 1,
      maxDailyLoss: 100,
    };

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation).toEqual({
      symbol: 'AAPL',
      effect: 'reduce',
      qty: 5,
      notional: 0,
      allowedStates: ['ACTIVE', 'REDUCING'],
      today: TODAY,
      rates: [],
      alertTime: undefined,
      strategy: undefined,
      heldQty: 10,
      maxReducingBefore: 5,
    });
  });

  it('passes without a price even when notional limits are set', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: -8, avgPrice: 100 } } });
    const cover = anIntent({ side: 'buy', qty: 8, effect: 'reduce', referencePrice: undefined });

    // Act
    const reservation = reservationOf(
      checkOrder(book, cover, { symbolAllowlist: [], maxTotalExposure: 1000 }, aContext()),
    );

    // Assess
    expect(reservation).toMatchObject({ heldQty: -8, maxReducingBefore: 0, notional: 0 });
  });
});

describe('checkOrder opening limits', () => {
  it('denies when a notional limit is set and no price is known', () => {
    // Prepare
    const intent = anIntent({ referencePrice: undefined });

    // Act
    const denial = denialOf(
      checkOrder(aBook(), intent, { symbolAllowlist: [], maxOrderNotional: 5000 }, aContext()),
    );

    // Assess
    expect(denial.code).toBe('PRICE_UNKNOWN');
  });

  it('passes without a price when only quantity limits are set', () => {
    // Prepare
    const intent = anIntent({ qty: 10, referencePrice: undefined });
    const limits: RiskLimits = {
      symbolAllowlist: [],
      maxOrderQty: 10,
      maxPositionQty: 10,
      maxOpenPositions: 1,
    };

    // Act
    const reservation = reservationOf(checkOrder(aBook(), intent, limits, aContext()));

    // Assess
    expect(reservation).toMatchObject({ notional: 0, maxCommittedBefore: 0, maxOpenPositions: 1 });
  });

  it('denies an order over the order quantity limit', () => {
    // Prepare
    const intent = anIntent({ qty: 11 });

    // Act
    const denial = denialOf(
      checkOrder(aBook(), intent, { symbolAllowlist: [], maxOrderQty: 10 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_ORDER_QTY', limit: 10, requested: 11 });
  });

  it('passes an order exactly at the order quantity limit', () => {
    // Prepare
    const intent = anIntent({ qty: 10 });

    // Act
    const result = checkOrder(aBook(), intent, { symbolAllowlist: [], maxOrderQty: 10 }, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });

  it('denies an order over the order notional limit', () => {
    // Prepare
    const intent = anIntent({ qty: 10, referencePrice: 100.5 });

    // Act
    const denial = denialOf(
      checkOrder(aBook(), intent, { symbolAllowlist: [], maxOrderNotional: 1000 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_ORDER_NOTIONAL', limit: 1000, requested: 1005 });
  });

  it('denies an order that takes the committed quantity over the position quantity limit', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 30, avgPrice: 100, committed: 45 } } });
    const intent = anIntent({ qty: 10 });

    // Act
    const denial = denialOf(
      checkOrder(book, intent, { symbolAllowlist: [], maxPositionQty: 50 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_POSITION_QTY', limit: 50, current: 45, requested: 10 });
  });

  it('counts a short position against the position quantity limit', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: -45, avgPrice: 100 } } });
    const intent = anIntent({ side: 'sell', qty: 10 });

    // Act
    const denial = denialOf(
      checkOrder(book, intent, { symbolAllowlist: [], maxPositionQty: 50 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_POSITION_QTY', current: 45 });
  });

  it('denies an order that takes the position over the position notional limit', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 40, avgPrice: 90 } } });
    const intent = anIntent({ qty: 20, referencePrice: 100 });

    // Act
    const denial = denialOf(
      checkOrder(book, intent, { symbolAllowlist: [], maxPositionNotional: 5000 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({
      code: 'MAX_POSITION_NOTIONAL',
      limit: 5000,
      current: 4000,
      requested: 2000,
    });
  });

  it('names the position notional limit when it is tighter than the quantity limit', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 40, avgPrice: 100 } } });
    const intent = anIntent({ qty: 20, referencePrice: 100 });
    const limits: RiskLimits = { symbolAllowlist: [], maxPositionQty: 100, maxPositionNotional: 5000 };

    // Act
    const denial = denialOf(checkOrder(book, intent, limits, aContext()));

    // Assess
    expect(denial.code).toBe('MAX_POSITION_NOTIONAL');
  });

  it('names the position quantity limit when it is tighter than the notional limit', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 40, avgPrice: 100 } } });
    const intent = anIntent({ qty: 20, referencePrice: 100 });
    const limits: RiskLimits = { symbolAllowlist: [], maxPositionQty: 50, maxPositionNotional: 1_000_000 };

    // Act
    const denial = denialOf(checkOrder(book, intent, limits, aContext()));

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_POSITION_QTY', limit: 50, current: 40, requested: 20 });
  });

  it('denies a new symbol when open positions are at the limit', () => {
    // Prepare
    const book = aBook({
      symbols: { MSFT: { qty: 1, avgPrice: 400 }, SPY: { qty: 1, avgPrice: 500 } },
    });

    // Act
    const denial = denialOf(
      checkOrder(book, anIntent(), { symbolAllowlist: [], maxOpenPositions: 2 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_OPEN_POSITIONS', limit: 2, current: 2 });
  });

  it('counts a symbol with only a pending opening order as open', () => {
    // Prepare
    const book = aBook({ symbols: { MSFT: { qty: 0, committed: 5 } } });

    // Act
    const denial = denialOf(
      checkOrder(book, anIntent(), { symbolAllowlist: [], maxOpenPositions: 1 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_OPEN_POSITIONS', current: 1 });
  });

  it('does not count an already-open symbol against the open positions limit', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100 }, MSFT: { qty: 1, avgPrice: 400 } },
    });

    // Act
    const reservation = reservationOf(
      checkOrder(
        book,
        anIntent({ symbol: 'AAPL' }),
        { symbolAllowlist: [], maxOpenPositions: 2 },
        aContext(),
      ),
    );

    // Assess
    expect(reservation.maxOpenPositions).toBe(2);
  });

  it('denies an order that takes total exposure over the limit', () => {
    // Prepare
    const book = aBook({ symbols: { MSFT: { qty: 10, avgPrice: 400 } } });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const denial = denialOf(
      checkOrder(book, intent, { symbolAllowlist: [], maxTotalExposure: 4999 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_TOTAL_EXPOSURE', limit: 4999, current: 4000, requested: 1000 });
  });

  it('passes an order that takes total exposure exactly to the limit', () => {
    // Prepare
    const book = aBook({ symbols: { MSFT: { qty: 10, avgPrice: 400 } } });
    const intent = anIntent({ qty: 10, referencePrice: 100 });

    // Act
    const reservation = reservationOf(
      checkOrder(book, intent, { symbolAllowlist: [], maxTotalExposure: 5000 }, aContext()),
    );

    // Assess
    expect(reservation).toMatchObject({ notional: 1000, maxExposureBefore: 4000 });
  });

  it('denies an opening order once the daily loss reaches the limit', () => {
    // Prepare
    const book = aBook({ pnlDay: TODAY, dayRealizedPnl: -500 });

    // Act
    const denial = denialOf(
      checkOrder(book, anIntent(), { symbolAllowlist: [], maxDailyLoss: 500 }, aContext()),
    );

    // Assess
    expect(denial).toMatchObject({ code: 'MAX_DAILY_LOSS', limit: 500, current: 500 });
  });

  it('passes an opening order while the daily loss is under the limit', () => {
    // Prepare
    const book = aBook({ pnlDay: TODAY, dayRealizedPnl: -499.99 });

    // Act
    const reservation = reservationOf(
      checkOrder(book, anIntent(), { symbolAllowlist: [], maxDailyLoss: 500 }, aContext()),
    );

    // Assess
    expect(reservation.minDayRealizedPnl).toBe(-500);
  });

  it('does not count the loss of another trading day', () => {
    // Prepare
    const book = aBook({ pnlDay: '2026-11-22', dayRealizedPnl: -10_000 });

    // Act
    const result = checkOrder(book, anIntent(), { symbolAllowlist: [], maxDailyLoss: 500 }, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('checkOrder reservation', () => {
  it('carries every condition the store re-checks at write time', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100 }, MSFT: { qty: 5, avgPrice: 400 } },
      pnlDay: TODAY,
      dayRealizedPnl: -50,
    });
    const intent = anIntent({ qty: 5, referencePrice: 110 });
    const limits: RiskLimits = {
      symbolAllowlist: ['AAPL', 'MSFT'],
      maxOrderQty: 20,
      maxOrderNotional: 10_000,
      maxPositionQty: 30,
      maxOpenPositions: 3,
      maxTotalExposure: 10_000,
      maxDailyLoss: 250,
    };

    // Act
    const reservation = reservationOf(checkOrder(book, intent, limits, aContext()));

    // Assess
    expect(reservation).toEqual({
      symbol: 'AAPL',
      effect: 'open',
      qty: 5,
      notional: 550,
      allowedStates: ['ACTIVE'],
      today: TODAY,
      rates: [],
      maxCommittedBefore: 25,
      maxOpenPositions: 3,
      maxExposureBefore: 9450,
      minDayRealizedPnl: -250,
    });
  });

  it('expresses a position notional limit as a committed quantity at the reference price', () => {
    // Prepare
    const intent = anIntent({ qty: 10, referencePrice: 200 });
    const limits: RiskLimits = { symbolAllowlist: [], maxPositionQty: 100, maxPositionNotional: 6000 };

    // Act
    const reservation = reservationOf(checkOrder(aBook(), intent, limits, aContext()));

    // Assess
    expect(reservation.maxCommittedBefore).toBe(20);
  });

  it('leaves conditions unset for limits that are not configured', () => {
    // Prepare
    const intent = anIntent({ qty: 3, referencePrice: 50 });

    // Act
    const reservation = reservationOf(checkOrder(aBook(), intent, NO_LIMITS, aContext()));

    // Assess
    expect(reservation).toEqual({
      symbol: 'AAPL',
      effect: 'open',
      qty: 3,
      notional: 150,
      allowedStates: ['ACTIVE'],
      today: TODAY,
      rates: [],
      alertTime: undefined,
      strategy: undefined,
      maxCommittedBefore: undefined,
      maxOpenPositions: undefined,
      maxExposureBefore: undefined,
      maxStrategyExposureBefore: undefined,
      minDayRealizedPnl: undefined,
      maxPendingNotionalBefore: undefined,
      cooldownUntil: undefined,
    });
  });
});
