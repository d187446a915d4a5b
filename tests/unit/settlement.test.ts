import { describe, expect, it } from 'vitest';
import type { Book } from '../../src/domain/book.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import { CAUGHT_UP_GRACE_MS, settle } from '../../src/domain/settlement.ts';
import { applySettlement as applied } from './book-writes.ts';
import { AT, aBook, aBookOrder, aFill, aReport, NOW, TODAY } from './builders.ts';

const MINUTE_MS = 60 * 1000;

/** A book after reserving an opening buy of 10 AAPL at 100, nothing filled. */
function reservedOpen(): Book {
  return aBook({ symbols: { AAPL: { qty: 0, committed: 10 } }, exposure: 1000, pendingNotional: 1000 });
}

/** A book holding 10 AAPL at 100 with a sell of all 10 reserved as reducing. */
function reservedClose(spec: { pnlDay?: string; dayRealizedPnl?: number } = {}): Book {
  return aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100, reducing: 10 } }, ...spec });
}

const OPEN = aBookOrder({ side: 'buy', qty: 10, effect: 'open', referencePrice: 100 });
const CLOSE = aBookOrder({ side: 'sell', qty: 10, effect: 'reduce', referencePrice: 0 });

describe('settle an opening order', () => {
  it('moves the reservation into the position and swaps reserved exposure for the fill price', () => {
    // Prepare
    const book = reservedOpen();
    const report = aReport(OPEN, 'FILLED', [aFill(OPEN, { qty: 10, price: 101, commission: 1 })]);

    // Act
    const settlement = settle(book, OPEN, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      symbol: 'AAPL',
      position: { qty: 10, avgPrice: 101, realizedPnl: -1, commissions: 1, lastPrice: 101, openedOn: TODAY },
      committedDelta: 0,
      exposureDelta: 10,
      pendingNotionalDelta: -1000,
      reducingDelta: 0,
      realizedDelta: -1,
      pnlDay: TODAY,
      dayRealizedPnl: -1,
      closesSymbol: false,
      committedBefore: 10,
      changed: true,
    });
    expect(settlement.applied).toEqual({ [OPEN.clientOrderId]: { fillIds: ['f1'], released: true, at: AT } });
    expect(applied(book, settlement)).toMatchObject({ exposure: 1010, pendingNotional: 0 });
  });

  it('opens a short the same way', () => {
    // Prepare
    const order = aBookOrder({ side: 'sell', qty: 10, effect: 'open', referencePrice: 100 });
    const book = reservedOpen();
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 10, price: 99.5 })]);

    // Act
    const settlement = settle(book, order, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      position: { qty: -10, avgPrice: 99.5 },
      committedDelta: 0,
      exposureDelta: -5,
    });
  });

  it('adds to a position and keeps exposure equal to quantity times average price', () => {
    // Prepare
    const book = aBook({
      symbols: { AAPL: { qty: 10, avgPrice: 100, committed: 20 } },
      exposure: 1000 + 10 * 120,
    });
    const order = aBookOrder({ qty: 10, referencePrice: 120 });
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 10, price: 121 })]);

    // Act
    const after = applied(book, settle(book, order, report, TODAY, NOW));

    // Assess
    expect(after.symbols.AAPL?.position).toMatchObject({ qty: 20, avgPrice: 110.5 });
    expect(after.exposure).toBe(20 * 110.5);
    expect(after.symbols.AAPL?.committed).toBe(20);
  });

  it('releases the unfilled part of a partial fill exactly once when the order is cancelled', () => {
    // Prepare
    const partFill = aFill(OPEN, { qty: 4, price: 100 });
    let book = reservedOpen();
    book = applied(book, settle(book, OPEN, aReport(OPEN, 'PARTIALLY_FILLED', [partFill]), TODAY, NOW));
    const canceled = aReport(OPEN, 'CANCELED', [partFill]);

    // Act
    const first = settle(book, OPEN, canceled, TODAY, NOW);
    book = applied(book, first);
    const second = settle(book, OPEN, canceled, TODAY, NOW);

    // Assess
    expect(first).toMatchObject({
      committedDelta: -6,
      exposureDelta: -600,
      pendingNotionalDelta: -600,
      changed: true,
      closesSymbol: false,
    });
    expect(second).toMatchObject({
      committedDelta: 0,
      exposureDelta: 0,
      pendingNotionalDelta: 0,
      changed: false,
    });
    expect(book.symbols.AAPL).toMatchObject({ committed: 4, position: { qty: 4 } });
    expect(book).toMatchObject({ exposure: 400, pendingNotional: 0 });
  });

  it('applies only the fills it has not seen before', () => {
    // Prepare
    const f1 = aFill(OPEN, { qty: 4, price: 100, fillId: 'f1' });
    const f2 = aFill(OPEN, { qty: 6, price: 102, fillId: 'f2' });
    let book = reservedOpen();
    book = applied(book, settle(book, OPEN, aReport(OPEN, 'PARTIALLY_FILLED', [f1]), TODAY, NOW));

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'FILLED', [f1, f2]), TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      position: { qty: 10, avgPrice: 101.2 },
      committedDelta: 0,
      exposureDelta: 12,
      changed: true,
    });
    expect(settlement.applied[OPEN.clientOrderId]?.fillIds).toEqual(['f1', 'f2']);
  });

  it('reports no change when the same report arrives twice', () => {
    // Prepare
    const report = aReport(OPEN, 'FILLED', [aFill(OPEN, { qty: 10, price: 101 })]);
    const book = applied(reservedOpen(), settle(reservedOpen(), OPEN, report, TODAY, NOW));

    // Act
    const again = settle(book, OPEN, report, TODAY, NOW);

    // Assess
    expect(again).toMatchObject({
      changed: false,
      committedDelta: 0,
      exposureDelta: 0,
      reducingDelta: 0,
      realizedDelta: 0,
      position: { qty: 10 },
    });
  });

  it('reports no change for a working order without fills', () => {
    // Prepare
    const book = reservedOpen();

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({ changed: false, committedDelta: 0, exposureDelta: 0 });
  });

  it('releases the whole reservation of an order rejected without fills', () => {
    // Prepare
    const book = reservedOpen();

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'REJECTED'), TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      committedDelta: -10,
      exposureDelta: -1000,
      pendingNotionalDelta: -1000,
      reducingDelta: 0,
      closesSymbol: true,
      changed: true,
    });
    expect(settlement.applied[OPEN.clientOrderId]).toEqual({ fillIds: [], released: true, at: AT });
  });
});

describe('settle a reducing order', () => {
  it('realizes P&L and lowers committed, reducing and exposure', () => {
    // Prepare
    const book = reservedClose({ pnlDay: TODAY, dayRealizedPnl: 20 });
    const report = aReport(CLOSE, 'FILLED', [aFill(CLOSE, { qty: 10, price: 110, commission: 1 })]);

    // Act
    const settlement = settle(book, CLOSE, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      position: { qty: 0, avgPrice: 0, realizedPnl: 99 },
      realizedDelta: 99,
      committedDelta: -10,
      reducingDelta: -10,
      exposureDelta: -1000,
      dayRealizedPnl: 119,
      closesSymbol: true,
      committedBefore: 10,
      changed: true,
    });
  });

  it('keeps the symbol open after a partial close', () => {
    // Prepare
    const order = aBookOrder({ side: 'sell', qty: 4, effect: 'reduce', referencePrice: 0 });
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100, reducing: 4 } } });
    const report = aReport(order, 'FILLED', [aFill(order, { qty: 4, price: 90 })]);

    // Act
    const after = applied(book, settle(book, order, report, TODAY, NOW));

    // Assess
    expect(after.symbols.AAPL).toMatchObject({
      committed: 6,
      reducing: 0,
      position: { qty: 6, avgPrice: 100 },
    });
    expect(after.exposure).toBe(600);
    expect(after.dayRealizedPnl).toBe(-40);
    expect(after.openSymbols).toEqual(['AAPL']);
  });

  it('does not close the symbol when an opening order is still pending', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100, committed: 15, reducing: 10 } } });
    const report = aReport(CLOSE, 'FILLED', [aFill(CLOSE, { qty: 10, price: 100 })]);

    // Act
    const settlement = settle(book, CLOSE, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({ position: { qty: 0 }, committedDelta: -10, closesSymbol: false });
  });

  it('releases the reducing quantity of a reducing order rejected without fills', () => {
    // Prepare
    const book = reservedClose();

    // Act
    const settlement = settle(book, CLOSE, aReport(CLOSE, 'REJECTED'), TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({
      reducingDelta: -10,
      committedDelta: 0,
      exposureDelta: 0,
      closesSymbol: false,
      changed: true,
    });
  });

  it('releases the unfilled reducing quantity once when a partial close expires', () => {
    // Prepare
    const fill = aFill(CLOSE, { qty: 3, price: 100 });
    let book = reservedClose();
    book = applied(book, settle(book, CLOSE, aReport(CLOSE, 'PARTIALLY_FILLED', [fill]), TODAY, NOW));

    // Act
    const expired = settle(book, CLOSE, aReport(CLOSE, 'EXPIRED', [fill]), TODAY, NOW);
    book = applied(book, expired);

    // Assess
    expect(expired).toMatchObject({ reducingDelta: -7, committedDelta: 0 });
    expect(book.symbols.AAPL).toMatchObject({ committed: 7, reducing: 0, position: { qty: 7 } });
  });
});

describe('settle P&L day and marks', () => {
  it('starts the realized P&L of a new trading day from zero', () => {
    // Prepare
    const book = reservedClose({ pnlDay: '2026-11-22', dayRealizedPnl: -300 });
    const report = aReport(CLOSE, 'FILLED', [aFill(CLOSE, { qty: 10, price: 110, commission: 1 })]);

    // Act
    const settlement = settle(book, CLOSE, report, TODAY, NOW);

    // Assess
    expect(settlement).toMatchObject({ pnlDay: TODAY, dayRealizedPnl: 99, realizedDelta: 99 });
  });

  it('adds to the realized P&L of the same trading day', () => {
    // Prepare
    const book = reservedClose({ pnlDay: TODAY, dayRealizedPnl: -300 });
    const report = aReport(CLOSE, 'FILLED', [aFill(CLOSE, { qty: 10, price: 110, commission: 1 })]);

    // Act
    const settlement = settle(book, CLOSE, report, TODAY, NOW);

    // Assess
    expect(settlement.dayRealizedPnl).toBe(-201);
  });

  it('prunes applied marks older than an hour and keeps newer ones', () => {
    // Prepare
    const oldId = asClientOrderId('pb-old-1');
    const recentId = asClientOrderId('pb-recent-1');
    const book = aBook({
      symbols: {
        AAPL: {
          qty: 0,
          committed: 10,
          applied: {
            [oldId]: {
              fillIds: ['x'],
              released: true,
              at: new Date(NOW.getTime() - 61 * MINUTE_MS).toISOString(),
            },
            [recentId]: {
              fillIds: ['y'],
              released: true,
              at: new Date(NOW.getTime() - 59 * MINUTE_MS).toISOString(),
            },
          },
        },
      },
      exposure: 1000,
    });

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect(Object.keys(settlement.applied).sort()).toEqual([OPEN.clientOrderId, recentId].sort());
  });

  it('treats the fills our order record holds as applied once the mark is gone', () => {
    // Prepare: 4 of 10 filled and recorded an hour ago; the book's mark has been pruned since.
    const f1 = aFill(OPEN, { qty: 4, price: 100, fillId: 'f1' });
    const f2 = aFill(OPEN, { qty: 6, price: 102, fillId: 'f2' });
    const book = aBook({ symbols: { AAPL: { qty: 4, avgPrice: 100, committed: 10 } }, exposure: 1000 });

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'FILLED', [f1, f2]), TODAY, NOW, {
      fillIds: ['f1'],
      released: false,
    });

    // Assess: only f2 moves the position.
    expect(settlement.position.qty).toBe(10);
    expect(settlement.applied[OPEN.clientOrderId]).toEqual({ fillIds: ['f1', 'f2'], released: true, at: AT });
    expect(settlement.committedDelta).toBe(0);
  });

  it('changes nothing for a report our settled order record already holds', () => {
    // Prepare
    const fill = aFill(OPEN, { qty: 10, price: 101, fillId: 'f1' });
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 101 } } });

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'FILLED', [fill]), TODAY, NOW, {
      fillIds: ['f1'],
      released: true,
    });

    // Assess
    expect(settlement.changed).toBe(false);
    expect(settlement.position.qty).toBe(10);
  });

  it("plans against the symbol version it read and says whether the P&L day is the book's", () => {
    // Prepare
    const book: Book = { ...aBook({ symbols: { AAPL: { qty: 0 } } }), pnlDay: '2026-01-01' };
    const versioned: Book = {
      ...book,
      symbols: Object.fromEntries(
        Object.entries(book.symbols).map(([symbol, entry]) => [symbol, { ...entry, version: 7 }]),
      ),
    };

    // Act
    const settlement = settle(versioned, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW);

    // Assess
    expect(settlement.version).toBe(7);
    expect(settlement.sameDay).toBe(false);
  });

  it('drops the marks of orders whose records were written past the grace, whatever the marks say', () => {
    // Prepare: two recorded orders, one written 6 s ago and one 3 s ago, and one not recorded; all
    // three marked 2 minutes ago
    const oldRecorded = asClientOrderId('pb-recorded-1');
    const newRecorded = asClientOrderId('pb-recorded-2');
    const pendingId = asClientOrderId('pb-pending-1');
    const markAt = (msAgo: number) => ({
      fillIds: ['x'],
      released: true,
      at: new Date(NOW.getTime() - msAgo).toISOString(),
    });
    const applied = {
      [oldRecorded]: markAt(2 * MINUTE_MS),
      [newRecorded]: markAt(2 * MINUTE_MS),
      [pendingId]: markAt(2 * MINUTE_MS),
    };
    const book = aBook({ symbols: { AAPL: { qty: 0, committed: 10, applied } }, exposure: 1000 });
    const caughtUp = new Map([
      [oldRecorded, NOW.getTime() - CAUGHT_UP_GRACE_MS - 1_000],
      [newRecorded, NOW.getTime() - CAUGHT_UP_GRACE_MS + 2_000],
      [OPEN.clientOrderId, NOW.getTime() - 60_000],
    ]);

    // Act
    const settlement = settle(book, OPEN, aReport(OPEN, 'ACCEPTED'), TODAY, NOW, undefined, caughtUp);

    // Assess: the recent write's mark stays (a settlement may still hold a copy of the record without
    // its fills); the settled order's own mark is written afresh whatever the map says
    expect(Object.keys(settlement.applied).sort()).toEqual(
      [OPEN.clientOrderId, newRecorded, pendingId].sort(),
    );
  });
});
