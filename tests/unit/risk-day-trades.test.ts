import { describe, expect, it } from 'vitest';
import { checkOrder, type RiskLimits } from '../../src/domain/risk.ts';
import { AT, aBook, aContext, anIntent, BUSINESS_DAYS, TODAY } from './builders.ts';
import { denialOf, NO_LIMITS, REDUCE, reservationOf } from './risk-results.ts';

describe('checkOrder day trades', () => {
  /** A book holding 10 AAPL at 100, opened on `openedOn`. */
  function heldSince(openedOn: string, dayTrades: Record<string, number> = {}) {
    return aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100, openedOn } }, dayTrades });
  }

  it('counts closing a position opened today as a day trade of today when the order is reserved', () => {
    // Act
    const reservation = reservationOf(checkOrder(heldSince(TODAY), REDUCE, NO_LIMITS, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY });
  });

  it('counts no day trade when the position was opened on an earlier day', () => {
    // Act
    const reservation = reservationOf(checkOrder(heldSince('2026-11-20'), REDUCE, NO_LIMITS, aContext()));

    // Assess
    expect(reservation.dayTrade).toBeUndefined();
  });

  it('counts no day trade when the position has no opening day on record', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100 } } });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, NO_LIMITS, aContext()));

    // Assess
    expect(reservation.dayTrade).toBeUndefined();
  });

  it('never counts closing crypto as a day trade', () => {
    // Prepare
    const book = aBook({ symbols: { 'BTC/USD': { qty: 1, avgPrice: 60_000, openedOn: TODAY } } });
    const intent = anIntent({ symbol: 'BTC/USD', side: 'sell', qty: 1, effect: 'reduce' });

    // Act
    const reservation = reservationOf(
      checkOrder(book, intent, NO_LIMITS, aContext({ assetClass: 'crypto' })),
    );

    // Assess
    expect(reservation.dayTrade).toBeUndefined();
  });

  it('counts no day trade for an opening order, even adding to a position opened today', () => {
    // Act
    const reservation = reservationOf(checkOrder(heldSince(TODAY), anIntent(), NO_LIMITS, aContext()));

    // Assess
    expect(reservation.dayTrade).toBeUndefined();
  });
});

describe('checkOrder pattern-day-trader rule', () => {
  const limits: RiskLimits = {
    symbolAllowlist: [],
    pdt: { enforce: true, accountType: 'margin', minEquity: 25_000, maxDayTrades: 3 },
  };
  const smallAccount = { equity: 20_000, cash: 20_000, buyingPower: 40_000, at: AT };
  /** Three day trades in the five business days ending TODAY, one of them today. */
  const threeDayTrades = { '2026-11-17': 1, '2026-11-19': 1, [TODAY]: 1 };

  /** A small margin account holding 10 AAPL opened on `openedOn`, with `dayTrades` made so far. */
  function pdtBook(spec: { openedOn?: string; dayTrades?: Record<string, number>; equity?: number } = {}) {
    return aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100, openedOn: spec.openedOn ?? TODAY } },
      dayTrades: spec.dayTrades ?? threeDayTrades,
      broker: { ...smallAccount, equity: spec.equity ?? smallAccount.equity },
    });
  }

  it('denies closing a position opened today in a small margin account at its day-trade limit', () => {
    // Prepare
    const book = pdtBook();

    // Act
    const denial = denialOf(checkOrder(book, REDUCE, limits, aContext({ businessDays: [...BUSINESS_DAYS] })));

    // Assess
    expect(denial).toMatchObject({ code: 'PDT_LIMIT', limit: 3, current: 3 });
  });

  it('denies at the limit when all the day trades were made today', () => {
    // Prepare
    const book = pdtBook({ dayTrades: { [TODAY]: 3 } });

    // Act
    const denial = denialOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(denial).toMatchObject({ code: 'PDT_LIMIT', limit: 3, current: 3 });
  });

  it('reserves the day trade under what the four earlier business days leave for today', () => {
    // Prepare
    const book = pdtBook({ dayTrades: { '2026-11-17': 1, [TODAY]: 1 } });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY, maxBefore: 2 });
  });

  it('reserves the whole limit for today when no earlier day has a day trade', () => {
    // Prepare
    const book = pdtBook({ dayTrades: { [TODAY]: 2 } });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY, maxBefore: 3 });
  });

  it('passes when one of the three day trades is older than the five business days', () => {
    // Prepare
    const dayTrades = { '2026-11-16': 1, '2026-11-19': 1, [TODAY]: 1 };

    // Act
    const reservation = reservationOf(checkOrder(pdtBook({ dayTrades }), REDUCE, limits, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY, maxBefore: 2 });
  });

  it('counts the day trades of today when today is not among the business days', () => {
    // Prepare
    const tomorrow = '2026-11-24';
    const dayTrades = { '2026-11-19': 1, [TODAY]: 1, [tomorrow]: 1 };
    const book = pdtBook({ openedOn: tomorrow, dayTrades });

    // Act
    const denial = denialOf(checkOrder(book, REDUCE, limits, aContext({ today: tomorrow })));

    // Assess
    expect(denial).toMatchObject({ code: 'PDT_LIMIT', limit: 3, current: 3 });
  });

  it('leaves today only what the business days before it do not use when today is not among them', () => {
    // Prepare
    const tomorrow = '2026-11-24';
    const book = pdtBook({ openedOn: tomorrow, dayTrades: { [TODAY]: 1, [tomorrow]: 1 } });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext({ today: tomorrow })));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: tomorrow, maxBefore: 2 });
  });

  it('counts but does not limit day trades in a cash account', () => {
    // Prepare
    const cash: RiskLimits = {
      symbolAllowlist: [],
      pdt: { enforce: true, accountType: 'cash', minEquity: 25_000, maxDayTrades: 3 },
    };

    // Act
    const reservation = reservationOf(checkOrder(pdtBook(), REDUCE, cash, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY });
  });

  it('counts but does not limit day trades when the rule is not enforced', () => {
    // Prepare
    const relaxed: RiskLimits = {
      symbolAllowlist: [],
      pdt: { enforce: false, accountType: 'margin', minEquity: 25_000, maxDayTrades: 3 },
    };

    // Act
    const reservation = reservationOf(checkOrder(pdtBook(), REDUCE, relaxed, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY });
  });

  it('counts but does not limit day trades when the account equity is at the minimum', () => {
    // Prepare
    const book = pdtBook({ equity: 25_000 });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY });
  });

  it('counts but does not limit day trades while the account figures are unknown', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100, openedOn: TODAY } },
      dayTrades: threeDayTrades,
    });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation.dayTrade).toEqual({ day: TODAY });
  });

  it('passes closing a position opened on an earlier day at the limit, which is no day trade', () => {
    // Prepare
    const book = pdtBook({ openedOn: '2026-11-20' });

    // Act
    const reservation = reservationOf(checkOrder(book, REDUCE, limits, aContext()));

    // Assess
    expect(reservation.dayTrade).toBeUndefined();
  });

  it('passes closing crypto bought today at the limit, which is never a day trade', () => {
    // Prepare
    const book = aBook({
      symbols: { 'BTC/USD': { qty: 1, avgPrice: 60_000, openedOn: TODAY } },
      dayTrades: threeDayTrades,
      broker: smallAccount,
    });
    const intent = anIntent({ symbol: 'BTC/USD', side: 'sell', qty: 1, effect: 'reduce' });

    // Act
    const reservation = reservationOf(checkOrder(book, intent, limits, aContext({ assetClass: 'crypto' })));

    // Assess
    expect(reservation.dayTrade).toBeUndefined();
  });

  it('passes an opening order at the limit, which is no day trade yet', () => {
    // Prepare
    const book = pdtBook();

    // Act
    const result = checkOrder(book, anIntent(), limits, aContext());

    // Assess
    expect(result.ok).toBe(true);
  });
});
