import { afterEach, describe, expect, it } from 'vitest';
import { reconcileOnce } from '../../src/app/reconcile-pass.ts';
import { type Harness, type ManualClock, manualClock, startHarness } from '../support/app-harness.ts';
import { placeDirectly } from '../support/reconcile-fixtures.ts';

const MONDAY_10_00 = '2026-11-23T15:00:00Z';
const TEN_SECONDS_LATER = '2026-11-23T15:00:10Z';
const THREE_MINUTES_LATER = '2026-11-23T15:03:00Z';

describe('stale reservations', () => {
  let h: Harness | undefined;
  let clock: ManualClock;
  afterEach(() => h?.close());

  it('releases a reservation no order holds once the book has been quiet for the grace period', async () => {
    // Prepare: a crash between reserving 4 GOOG at 150 and recording the order
    clock = manualClock(MONDAY_10_00);
    h = await startHarness({ now: clock.now });
    await placeDirectly(h, { id: 'lost', symbol: 'GOOG', qty: 4, price: 150, record: false });
    clock.set(TEN_SECONDS_LATER);
    const busy = await reconcileOnce(h.deps);
    const whileBusy = await h.deps.book.get();
    clock.set(THREE_MINUTES_LATER);

    // Act
    const quiet = await reconcileOnce(h.deps);
    const again = await reconcileOnce(h.deps);

    // Assess
    expect(busy).toMatchObject({ ordersChecked: 0, reservationsRepaired: 0 });
    expect(whileBusy).toMatchObject({ openSymbols: ['GOOG'], exposure: 600, pendingNotional: 600 });
    expect(whileBusy.symbols.GOOG?.committed).toBe(4);
    expect(quiet).toMatchObject({ ordersChecked: 0, reservationsRepaired: 2, errors: [] });
    const book = await h.deps.book.get();
    expect(book).toMatchObject({ openSymbols: [], exposure: 0, pendingNotional: 0 });
    expect(book.symbols.GOOG).toMatchObject({ committed: 0, reducing: 0 });
    expect(again.reservationsRepaired).toBe(0);
    expect(h.logs.some((line) => line.includes('stale reservations released'))).toBe(true);
  });

  it('releases a stale reducing reservation and keeps the position and what it commits', async () => {
    // Prepare: 5 AAPL held, then a crash between reserving a sell of 2 and recording it
    clock = manualClock(MONDAY_10_00);
    h = await startHarness({ now: clock.now });
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 5, price: 100 }));
    await placeDirectly(h, {
      id: 'exit',
      symbol: 'AAPL',
      side: 'sell',
      effect: 'reduce',
      qty: 2,
      price: 101,
      record: false,
    });
    const before = await h.deps.book.get();
    clock.set(THREE_MINUTES_LATER);

    // Act
    const report = await reconcileOnce(h.deps);

    // Assess
    expect(before.symbols.AAPL).toMatchObject({ committed: 5, reducing: 2 });
    expect(report.reservationsRepaired).toBe(1);
    const book = await h.deps.book.get();
    expect(book.symbols.AAPL).toMatchObject({ committed: 5, reducing: 0, position: { qty: 5 } });
    expect(book).toMatchObject({ openSymbols: ['AAPL'], exposure: before.exposure });
  });

  it('never takes the reservation of a recorded working order for a stale one', async () => {
    // Prepare: a resting limit buy, recorded and at the broker
    clock = manualClock(MONDAY_10_00);
    h = await startHarness({ now: clock.now });
    await placeDirectly(h, {
      id: 'rest',
      symbol: 'MSFT',
      qty: 3,
      price: 400,
      type: 'limit',
      limitPrice: 350,
    });
    clock.set(THREE_MINUTES_LATER);

    // Act
    const report = await reconcileOnce(h.deps);

    // Assess
    expect(report).toMatchObject({ ordersChecked: 1, stillOpen: 1, reservationsRepaired: 0 });
    const book = await h.deps.book.get();
    expect(book.symbols.MSFT?.committed).toBe(3);
    expect(book).toMatchObject({ openSymbols: ['MSFT'], pendingNotional: 1200 });
  });
});
