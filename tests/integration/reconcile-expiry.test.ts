import { afterEach, describe, expect, it } from 'vitest';
import { reconcileOnce } from '../../src/app/reconcile-pass.ts';
import { type Harness, type ManualClock, manualClock, startHarness } from '../support/app-harness.ts';
import { RestingBroker } from '../support/resting-broker.ts';

// New York is UTC-5 in late November 2026; the regular session of Monday 2026-11-23 closes at 21:00 UTC.
const MONDAY_10_00 = '2026-11-23T15:00:00Z';
const MONDAY_15_30 = '2026-11-23T20:30:00Z';
const MONDAY_16_05 = '2026-11-23T21:05:00Z';

/** A resting limit buy of 5 AAPL (day order) placed through the webhook; answers its order id. */
async function restingDayBuy(h: Harness, symbol = 'AAPL', qty = 5): Promise<string> {
  const { answer } = await h.post(
    h.alert({ symbol, action: 'buy', quantity: qty, price: 100, type: 'limit', limit_price: 90 }),
  );
  expect(answer).toMatchObject({ status: 'accepted', orderStatus: 'ACCEPTED' });
  return answer.orderId ?? '';
}

describe('day orders at the session end', () => {
  let h: Harness | undefined;
  let clock: ManualClock;
  afterEach(() => h?.close());

  it('leaves a day order working before the close, and settles it once the paper broker expires it', async () => {
    // Prepare
    clock = manualClock(MONDAY_10_00);
    h = await startHarness({ now: clock.now });
    const orderId = await restingDayBuy(h);
    const reserved = await h.deps.book.get();
    clock.set(MONDAY_15_30);
    const beforeClose = await reconcileOnce(h.deps);
    clock.set(MONDAY_16_05);

    // Act
    const afterClose = await reconcileOnce(h.deps);

    // Assess
    expect(reserved.symbols.AAPL?.committed).toBe(5);
    expect(beforeClose).toMatchObject({ ordersChecked: 1, stillOpen: 1, ordersExpired: 0, expiring: 0 });
    expect(afterClose).toMatchObject({ ordersChecked: 1, ordersExpired: 1, stillOpen: 0, errors: [] });
    expect(await h.deps.orders.get(orderId)).toMatchObject({ status: 'EXPIRED', settled: true });
    const book = await h.deps.book.get();
    expect(book.symbols.AAPL).toMatchObject({ committed: 0, reducing: 0 });
    expect(book).toMatchObject({ openSymbols: [], exposure: 0, pendingNotional: 0 });
    expect(await h.deps.broker.listOpenOrders()).toEqual([]);
  });

  it('cancels a day order the broker still works after the close, and settles the cancellation', async () => {
    // Prepare
    clock = manualClock(MONDAY_10_00);
    const broker = new RestingBroker(clock.now);
    h = await startHarness({ now: clock.now, broker: () => broker });
    const orderId = await restingDayBuy(h);
    clock.set(MONDAY_16_05);

    // Act
    const report = await reconcileOnce(h.deps);

    // Assess
    expect(report).toMatchObject({ ordersChecked: 1, ordersExpired: 1, expiring: 0, errors: [] });
    expect(broker.cancelRequests).toEqual([orderId]);
    expect(await h.deps.orders.get(orderId)).toMatchObject({ status: 'CANCELED', settled: true });
    const book = await h.deps.book.get();
    expect(book).toMatchObject({ openSymbols: [], exposure: 0, pendingNotional: 0 });
  });

  it('reports a day order the broker keeps working as expiring, holds its reservation, and settles it later', async () => {
    // Prepare
    clock = manualClock(MONDAY_10_00);
    const broker = new RestingBroker(clock.now);
    broker.ignoreCancels = true;
    h = await startHarness({ now: clock.now, broker: () => broker });
    const orderId = await restingDayBuy(h);
    clock.set(MONDAY_16_05);

    // Act
    const stuck = await reconcileOnce(h.deps);
    const heldBook = await h.deps.book.get();
    const heldOrder = await h.deps.orders.get(orderId);
    broker.ignoreCancels = false;
    const released = await reconcileOnce(h.deps);

    // Assess
    expect(stuck).toMatchObject({ ordersChecked: 1, expiring: 1, ordersExpired: 0, stillOpen: 0 });
    expect(heldOrder).toMatchObject({ status: 'ACCEPTED', settled: false });
    expect(heldBook.symbols.AAPL?.committed).toBe(5);
    expect(released).toMatchObject({ ordersExpired: 1, expiring: 0 });
    expect(broker.cancelRequests).toEqual([orderId, orderId]);
    expect((await h.deps.book.get()).symbols.AAPL?.committed).toBe(0);
  });

  it('never expires a crypto day order by session', async () => {
    // Prepare
    clock = manualClock(MONDAY_10_00);
    const broker = new RestingBroker(clock.now);
    h = await startHarness({ now: clock.now, broker: () => broker });
    const orderId = await restingDayBuy(h, 'BTCUSD', 1);
    clock.set('2026-11-24T21:05:00Z');

    // Act
    const report = await reconcileOnce(h.deps);

    // Assess
    expect(report).toMatchObject({ ordersChecked: 1, stillOpen: 1, ordersExpired: 0, expiring: 0 });
    expect(broker.cancelRequests).toEqual([]);
    expect(await h.deps.orders.get(orderId)).toMatchObject({ status: 'ACCEPTED', settled: false });
  });
});
