import { afterEach, describe, expect, it } from 'vitest';
import type { Book } from '../../src/domain/book.ts';
import { tradingDay } from '../../src/domain/book.ts';
import type { OrderStatusReport } from '../../src/domain/order.ts';
import { settle } from '../../src/domain/settlement.ts';
import type { OrderRecord } from '../../src/store/order-store.ts';
import { type Harness, startHarness } from '../support/app-harness.ts';
import { aFill, aReport } from '../unit/builders.ts';

/** A report filling `order` completely at `price`. */
function filled(order: OrderRecord, price: number): OrderStatusReport {
  const at = new Date().toISOString();
  const fill = aFill(order, { qty: order.qty, price, fillId: `${order.clientOrderId}-f1`, filledAt: at });
  return { ...aReport(order, 'FILLED', [fill]), avgFillPrice: price, updatedAt: at };
}

/**
 * A filled buy of another symbol (so the book's P&L day is today), then two resting limit buys, and
 * the resting orders with the book as it is with both reserved.
 */
async function twoRestingBuys(h: Harness, symbols: [string, string]): Promise<[OrderRecord[], Book]> {
  const filledBuy = await h.post(h.alert({ symbol: 'GOOG', action: 'buy', quantity: 1, price: 100 }));
  expect(filledBuy.answer.orderStatus).toBe('FILLED');
  for (const [i, symbol] of symbols.entries()) {
    const resting = { symbol, action: 'buy', quantity: 2, price: 100, type: 'limit', limit_price: 1 };
    const reply = await h.post(h.alert({ ...resting, comment: `resting ${i}` }));
    expect(reply.answer.orderStatus).toBe('ACCEPTED');
  }
  const resting = (await h.orders()).filter((order) => order.symbol !== 'GOOG');
  return [resting, await h.deps.book.get()];
}

describe('settlement serialized per symbol', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('writes settlements of two symbols planned against the same book, and adds up their P&L figures', async () => {
    // Prepare
    h = await startHarness();
    const [orders, book] = await twoRestingBuys(h, ['AAPL', 'MSFT']);
    const now = new Date();
    const today = tradingDay(now, h.deps.timeZone);
    const plans = orders.map((order) => settle(book, order, filled(order, 1), today, now));

    // Act: both plans were made from one read, as two concurrent requests would make them
    const written = await Promise.all(plans.map((plan) => h?.deps.book.settle(plan, 0, now)));

    // Assess
    expect(written.every((result) => result !== undefined)).toBe(true);
    const after = await h.deps.book.get();
    expect(after.symbols.AAPL?.position.qty).toBe(2);
    expect(after.symbols.MSFT?.position.qty).toBe(2);
    expect(after.exposure).toBeCloseTo(book.exposure - 400 + 4, 6);
    expect(after.pendingNotional).toBe(0);
    expect(after.fillsVersion).toBe(book.fillsVersion + 2);
  });

  it('refuses the second of two settlements of one symbol planned against the same version', async () => {
    // Prepare
    h = await startHarness();
    const [orders, book] = await twoRestingBuys(h, ['AAPL', 'AAPL']);
    const now = new Date();
    const today = tradingDay(now, h.deps.timeZone);
    const [first, second] = orders.map((order) => settle(book, order, filled(order, 1), today, now));
    if (first === undefined || second === undefined) return expect.unreachable('two orders');

    // Act
    const firstWritten = await h.deps.book.settle(first, 0, now);
    const secondWritten = await h.deps.book.settle(second, 0, now);

    // Assess: the first moved the symbol's version; the second must be planned again
    expect(firstWritten?.symbols.AAPL?.version).toBe((book.symbols.AAPL?.version ?? 0) + 1);
    expect(secondWritten).toBeUndefined();
    expect((await h.deps.book.get()).symbols.AAPL?.position.qty).toBe(2);
  });
});
