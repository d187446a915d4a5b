import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { settleReport } from '../../src/app/order-settler.ts';
import { keys } from '../../src/store/table.ts';
import { type Harness, manualClock, startHarness } from '../support/app-harness.ts';

const MINUTE_MS = 60_000;

/** The stored book item's size, as DynamoDB's JSON of it (a close stand-in for its billed size). */
async function bookItemBytes(h: Harness): Promise<number> {
  const result = await h.table.doc.send(
    new GetCommand({ TableName: h.table.tableName, Key: keys.book(h.deps.accountId) }),
  );
  return Buffer.byteLength(JSON.stringify(result.Item ?? {}));
}

describe('the book item with a long history', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it("keeps only the last hour's applied marks, so the item does not grow with history", async () => {
    // Prepare: every order comes through a container of its own that is never used again (Lambda
    // scaling out), so no container drops a mark it recorded: 60 orders of one symbol, 4 minutes apart,
    // 4 hours of trading
    const clock = manualClock('2026-11-23T15:00:00.000Z');
    h = await startHarness({ now: clock.now });
    const start = clock.now().getTime();
    const sizes: number[] = [];

    // Act
    for (let i = 0; i < 60; i += 1) {
      const at = new Date(start + i * 4 * MINUTE_MS);
      clock.set(at);
      const container = await startHarness({ now: clock.now, table: h.table });
      const action = i % 2 === 0 ? 'buy' : 'sell';
      const alert = { symbol: 'AAPL', action, quantity: 5, price: 100, timenow: at.toISOString() };
      try {
        expect((await container.post(container.alert(alert))).answer.status).toBe('accepted');
      } finally {
        container.close();
      }
      if (i === 14 || i === 59) sizes.push(await bookItemBytes(h));
    }

    // Assess: an hour holds 15 orders at most; the book after 4 hours is no bigger than after 1
    const book = await h.deps.book.get();
    const marks = Object.keys(book.symbols.AAPL?.applied ?? {});
    expect(marks.length).toBeGreaterThan(1);
    expect(marks.length).toBeLessThanOrEqual(16);
    expect(book.symbols.AAPL?.position.qty).toBe(0);
    const [afterOneHour = 0, afterFourHours = 0] = sizes;
    expect(afterFourHours).toBeLessThanOrEqual(afterOneHour + 200);
    expect(await h.orders()).toHaveLength(60);
  });

  it('drops the marks of orders this process recorded once they are past the grace', async () => {
    // Prepare
    const clock = manualClock('2026-11-23T15:00:00.000Z');
    h = await startHarness({ now: clock.now });
    const start = clock.now().getTime();

    // Act: 40 orders, 20 s apart, well inside the hour
    for (let i = 0; i < 40; i += 1) {
      const at = new Date(start + i * 20_000);
      clock.set(at);
      const action = i % 2 === 0 ? 'buy' : 'sell';
      const alert = { symbol: 'AAPL', action, quantity: 5, price: 100, timenow: at.toISOString() };
      expect((await h.post(h.alert(alert))).answer.status).toBe('accepted');
    }

    // Assess: only the last order's mark is younger than the grace
    const book = await h.deps.book.get();
    expect(Object.keys(book.symbols.AAPL?.applied ?? {}).length).toBe(1);
  });

  it('settles a report again without applying its fills twice once the mark is gone', async () => {
    // Prepare: a filled buy, then two hours pass and another order of the symbol prunes its mark
    const clock = manualClock('2026-11-23T15:00:00.000Z');
    h = await startHarness({ now: clock.now });
    const first = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 5, price: 100 }));
    expect(first.answer.orderStatus).toBe('FILLED');
    clock.set('2026-11-23T17:00:00.000Z');
    await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100, timenow: clock.now().toISOString() }),
    );
    const [order] = (await h.orders()).filter((o) => o.clientOrderId === first.answer.orderId);
    if (order === undefined) return expect.unreachable('the first order is recorded');
    expect(Object.keys((await h.deps.book.get()).symbols.AAPL?.applied ?? {})).not.toContain(
      order.clientOrderId,
    );

    // Act: the broker's report of the first order arrives once more (a late reconcile pass)
    const report = await h.deps.broker.getOrder(order.clientOrderId);
    if (report === undefined) return expect.unreachable('the broker knows the order');
    await settleReport(h.deps, order, report, 'reconcile');

    // Assess
    expect((await h.deps.book.get()).symbols.AAPL?.position.qty).toBe(6);
  });

  it('re-reads an old copy of the order record before settling, so a dropped mark never doubles a fill', async () => {
    // Prepare: a filled buy; 10 s later another order of the symbol drops its mark (past the grace);
    // a copy of the first order taken before its fills were recorded, as a lagging index returns it
    const clock = manualClock('2026-11-23T15:00:00.000Z');
    h = await startHarness({ now: clock.now });
    const first = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 5, price: 100 }));
    expect(first.answer.orderStatus).toBe('FILLED');
    const [recorded] = (await h.orders()).filter((o) => o.clientOrderId === first.answer.orderId);
    if (recorded === undefined) return expect.unreachable('the first order is recorded');
    const staleCopy = { ...recorded, status: 'IN_FLIGHT' as const, fills: [], filledQty: 0, settled: false };
    clock.set('2026-11-23T15:00:10.000Z');
    await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100, timenow: clock.now().toISOString() }),
    );
    expect(Object.keys((await h.deps.book.get()).symbols.AAPL?.applied ?? {})).not.toContain(
      recorded.clientOrderId,
    );

    // Act: a settlement from the old copy with the broker's report of the fills
    const report = await h.deps.broker.getOrder(recorded.clientOrderId);
    if (report === undefined) return expect.unreachable('the broker knows the order');
    await settleReport(h.deps, staleCopy, report, 'reconcile');

    // Assess
    expect((await h.deps.book.get()).symbols.AAPL?.position.qty).toBe(6);
  });
});
