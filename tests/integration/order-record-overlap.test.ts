/**
 * Once the broker's report is settled into the book, the order record and the delivery record are
 * written side by side. When the order record's write fails, the answer still stands (the order is
 * at the broker and in the book), and the next reconcile pass writes the record without counting the
 * fill twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../src/store/order-store.ts';
import { type Harness, startHarness } from '../support/app-harness.ts';

describe('the order record written beside the delivery record', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('answers a filled buy when its order record write fails, and reconcile writes the record later', async () => {
    // Prepare: the order store refuses updates (a throttled table, say)
    h = await startHarness();
    const orders = h.deps.orders;
    const update = orders.update.bind(orders);
    orders.update = async (_order: OrderRecord) => {
      throw new Error('ProvisionedThroughputExceededException: throttled');
    };

    // Act
    const reply = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 3, price: 100 }));

    // Assess: the answer and the book say filled; the record is still unsettled
    expect(reply.answer).toMatchObject({ status: 'accepted', orderStatus: 'FILLED', filledQty: 3 });
    expect((await h.deps.book.get()).symbols.AAPL?.position.qty).toBe(3);
    const [before] = await h.orders();
    expect(before).toMatchObject({ status: 'IN_FLIGHT', settled: false });
    expect(h.logs.some((line) => line.includes('order record not written'))).toBe(true);
    const [delivery] = await h.alerts();
    expect(delivery).toMatchObject({ status: 'accepted', orderIds: [reply.answer.orderId] });

    // Act: the table recovers and the reconcile pass runs
    orders.update = update;
    expect((await h.api('/reconcile', { method: 'POST' })).status).toBe(200);

    // Assess
    const [after] = await h.orders();
    expect(after).toMatchObject({ status: 'FILLED', settled: true, filledQty: 3 });
    expect((await h.deps.book.get()).symbols.AAPL?.position.qty).toBe(3);
  });
});
