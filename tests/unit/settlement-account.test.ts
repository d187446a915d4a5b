import { describe, expect, it } from 'vitest';
import type { Book } from '../../src/domain/book.ts';
import { settle } from '../../src/domain/settlement.ts';
import { applySettlement } from './book-writes.ts';
import { AT, aBook, aBookOrder, aFill, aReport, NOW, TODAY } from './builders.ts';

const OPEN = aBookOrder({ side: 'buy', qty: 10, effect: 'open', referencePrice: 100 });
const CLOSE = aBookOrder({ side: 'sell', qty: 10, effect: 'reduce', referencePrice: 0 });

/** A book after reserving an opening buy of 10 AAPL at 100 (of `strategy`, when given), nothing filled. */
function reservedOpen(strategy?: string): Book {
  return aBook({
    symbols: { AAPL: { qty: 0, committed: 10 } },
    exposure: 1000,
    pendingNotional: 1000,
    strategies: strategy === undefined ? {} : { [strategy]: { exposure: 1000 } },
  });
}

/** A book holding 10 AAPL at 100, opened on `openedOn`, with a sell of all 10 reserved. */
function reservedClose(openedOn: string, dayTrades: Record<string, number> = {}): Book {
  return aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100, reducing: 10, openedOn } }, dayTrades });
}

describe('settle pending notional', () => {
  it('releases the pending notional of the filled part at the reserved price', () => {
    // Prepare
    const report = aReport(OPEN, 'PARTIALLY_FILLED', [aFill(OPEN, { qty: 4, price: 103 })]);

    // Act
    const settlement = settle(reservedOpen(), OPEN, report, TODAY, NOW);

    // Assess
    expect(settlement.pendingNotionalDelta).toBe(-400);
  });

  it('releases the pending notional of the unfilled rest once the order is terminal', () => {
    // Prepare
    const fill = aFill(OPEN, { qty: 4, price: 100 });
    let book = reservedOpen();
    book = applySettlement(book, settle(book, OPEN, aReport(OPEN, 'PARTIALLY_FILLED', [fill]), TODAY, NOW));

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'EXPIRED', [fill]), TODAY, NOW);

    // Assess
    expect(settlement.pendingNotionalDelta).toBe(-600);
    expect(applySettlement(book, settlement).pendingNotional).toBe(0);
  });

  it('keeps the pending notional of a working order without fills', () => {
    // Prepare
    const book = reservedOpen();

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect(settlement.pendingNotionalDelta).toBe(0);
  });

  it('leaves the pending notional alone for a reducing order', () => {
    // Prepare
    const book = { ...reservedClose('2026-11-20'), pendingNotional: 500 };
    const report = aReport(CLOSE, 'FILLED', [aFill(CLOSE, { qty: 10, price: 110 })]);

    // Act
    const settlement = settle(book, CLOSE, report, TODAY, NOW);

    // Assess
    expect(settlement.pendingNotionalDelta).toBe(0);
  });
});

describe('settle strategy exposure and last fill', () => {
  it("moves the strategy's exposure with the account's when its opening order fills", () => {
    // Prepare
    const order = { ...OPEN, strategy: 'trend' };
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 10, price: 101 })]);

    // Act
    const settlement = settle(reservedOpen('trend'), order, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      strategy: 'trend',
      exposureDelta: 10,
      strategyExposureDelta: 10,
      strategyLastFillAt: AT,
    });
    expect(applySettlement(reservedOpen('trend'), settlement).strategies.trend).toEqual({
      exposure: 1010,
      lastFillAt: AT,
    });
  });

  it("lowers the strategy's exposure by the cost of what its reducing order closed", () => {
    // Prepare
    const order = { ...CLOSE, strategy: 'trend' };
    const book = { ...reservedClose('2026-11-20'), strategies: { trend: { exposure: 1000 } } };
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 10, price: 110 })]);

    // Act
    const settlement = settle(book, order, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({ exposureDelta: -1000, strategyExposureDelta: -1000 });
  });

  it("releases the strategy's reserved exposure when its order is rejected, without a last fill", () => {
    // Prepare
    const order = { ...OPEN, strategy: 'trend' };

    // Act
    const settlement = settle(reservedOpen('trend'), order, aReport(order, 'REJECTED'), TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({ strategyExposureDelta: -1000, strategyLastFillAt: undefined });
  });

  it('sets no last fill when the same report arrives twice', () => {
    // Prepare
    const order = { ...OPEN, strategy: 'trend' };
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 10, price: 101 })]);
    const book = applySettlement(
      reservedOpen('trend'),
      settle(reservedOpen('trend'), order, report, TODAY, NOW),
    );

    // Act
    const again = settle(book, order, report, TODAY, NOW);

    // Assess
    expect(again).toMatchObject({ changed: false, strategyExposureDelta: 0, strategyLastFillAt: undefined });
  });

  it("sets the strategy's last fill to when the fill happened, not when it was settled", () => {
    // Prepare
    const order = { ...OPEN, strategy: 'trend' };
    const filledAt = '2026-11-23T14:58:30.000Z';
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 10, price: 101, filledAt })]);

    // Act
    const settlement = settle(reservedOpen('trend'), order, report, TODAY, NOW);

    // Assess
    expect(settlement.strategyLastFillAt).toBe(filledAt);
  });

  it("keeps the strategy's later last fill when an older order's report settles after it", () => {
    // Prepare: the book already knows a fill of the strategy at 14:59:50
    const order = { ...OPEN, strategy: 'trend' };
    const book = reservedOpen('trend');
    const newer = '2026-11-23T14:59:50.000Z';
    const withNewer = {
      ...book,
      strategies: { ...book.strategies, trend: { exposure: 1000, lastFillAt: newer } },
    };
    const report = aReport(order, 'FILLED', [
      aFill(order, { qty: 10, price: 101, filledAt: '2026-11-23T14:58:00.000Z' }),
    ]);

    // Act
    const settlement = settle(withNewer, order, report, TODAY, NOW);

    // Assess
    expect(settlement.strategyLastFillAt).toBe(newer);
  });

  it("sets the strategy's last fill to the newest fill of the report, whatever their order", () => {
    // Prepare
    const order = { ...OPEN, strategy: 'trend' };
    const newest = '2026-11-23T14:59:40.000Z';
    const report = aReport(order, 'FILLED', [
      aFill(order, { qty: 4, price: 101, fillId: 'f2', filledAt: newest }),
      aFill(order, { qty: 6, price: 101, fillId: 'f1', filledAt: '2026-11-23T14:59:10.000Z' }),
    ]);

    // Act
    const settlement = settle(reservedOpen('trend'), order, report, TODAY, NOW);

    // Assess
    expect(settlement.strategyLastFillAt).toBe(newest);
  });

  it("moves the strategy's last fill to the new fill when a second report brings one", () => {
    // Prepare
    const order = { ...OPEN, strategy: 'trend' };
    const f1 = aFill(order, { qty: 4, price: 101, fillId: 'f1', filledAt: '2026-11-23T14:50:00.000Z' });
    const f2 = aFill(order, { qty: 6, price: 101, fillId: 'f2', filledAt: '2026-11-23T14:55:00.000Z' });
    const first = settle(reservedOpen('trend'), order, aReport(order, 'PARTIALLY_FILLED', [f1]), TODAY, NOW);
    const book = applySettlement(reservedOpen('trend'), first);

    // Act
    const second = settle(book, order, aReport(order, 'FILLED', [f1, f2]), TODAY, NOW);

    // Assess
    expect(first.strategyLastFillAt).toBe(f1.filledAt);
    expect(second.strategyLastFillAt).toBe(f2.filledAt);
    expect(applySettlement(book, second).strategies.trend?.lastFillAt).toBe(f2.filledAt);
  });

  it('changes no strategy for an order without one', () => {
    // Prepare
    const report = aReport(OPEN, 'FILLED', [aFill(OPEN, { qty: 10, price: 101 })]);

    // Act
    const settlement = settle(reservedOpen(), OPEN, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      strategy: undefined,
      strategyExposureDelta: 0,
      strategyLastFillAt: undefined,
    });
  });
});

describe('settle day trades', () => {
  it('leaves the day-trade count alone when a position opened today is closed, as the reservation counted it', () => {
    // Prepare
    const book = reservedClose(TODAY, { [TODAY]: 1 });
    const report = aReport(CLOSE, 'FILLED', [aFill(CLOSE, { qty: 10, price: 110 })]);

    // Act
    const settlement = settle(book, CLOSE, report, TODAY, NOW);

    // Assess
    expect(settlement.staleDayTrades).toEqual([]);
    expect(applySettlement(book, settlement).dayTrades).toEqual({ [TODAY]: 1 });
  });

  it('marks a position opened by a fill as opened today', () => {
    // Prepare
    const report = aReport(OPEN, 'FILLED', [aFill(OPEN, { qty: 10, price: 100 })]);

    // Act
    const settlement = settle(reservedOpen(), OPEN, report, TODAY, NOW);

    // Assess
    expect(settlement.position.openedOn).toBe(TODAY);
  });

  it('marks a position opened on an earlier day as opened today when a fill adds to it', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100, committed: 20, openedOn: '2026-11-20' } },
    });
    const report = aReport(OPEN, 'FILLED', [aFill(OPEN, { qty: 10, price: 100 })]);

    // Act
    const settlement = settle(book, OPEN, report, TODAY, NOW);

    // Assess
    expect(settlement.position).toMatchObject({ qty: 20, openedOn: TODAY });
  });

  it('keeps the opening day of a position that a fill only reduces', () => {
    // Prepare
    const order = { ...CLOSE, qty: 4 };
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100, reducing: 4, openedOn: '2026-11-20' } },
    });
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 4, price: 101 })]);

    // Act
    const settlement = settle(book, order, report, TODAY, NOW);

    // Assess
    expect(settlement.position).toMatchObject({ qty: 6, openedOn: '2026-11-20' });
  });

  it('lists the day-trade counters of days more than ten days ago as stale and keeps the rest', () => {
    // Prepare
    const book = reservedClose('2026-11-20', { '2026-11-12': 1, '2026-11-13': 2, [TODAY]: 1 });

    // Act
    const settlement = settle(book, CLOSE, aReport(CLOSE, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect(settlement.staleDayTrades).toEqual(['2026-11-12']);
    expect(applySettlement(book, settlement).dayTrades).toEqual({ '2026-11-13': 2, [TODAY]: 1 });
  });
});

describe('settle rate counters', () => {
  it("lists the counters of past minutes and days as stale, and keeps this minute's and today's", () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 0, committed: 10 } },
      rates: {
        'm:2026-11-23T14:59': 3,
        'm:2026-11-23T15:00': 1,
        'd:2026-11-22': 9,
        'd:2026-11-23': 4,
        'sm:trend:2026-11-23T14:58': 1,
        'sm:trend:2026-11-23T15:00': 1,
        'sd:trend:2026-11-22': 2,
        'sd:trend:2026-11-23': 2,
      },
    });

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect([...settlement.staleRates].sort()).toEqual([
      'd:2026-11-22',
      'm:2026-11-23T14:59',
      'sd:trend:2026-11-22',
      'sm:trend:2026-11-23T14:58',
    ]);
  });

  it('lists nothing when every counter is current', () => {
    // Prepare
    const book = aBook({ rates: { 'm:2026-11-23T15:00': 1, 'd:2026-11-23': 1 } });

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect(settlement.staleRates).toEqual([]);
  });
});
