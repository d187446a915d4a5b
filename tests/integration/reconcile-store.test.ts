import { afterEach, describe, expect, it } from 'vitest';
import { planAdoption, planReservationRepair } from '../../src/domain/reconciliation.ts';
import { type Harness, manualClock, startHarness } from '../support/app-harness.ts';
import { placeDirectly } from '../support/reconcile-fixtures.ts';

const MONDAY_10_00 = '2026-11-23T15:00:00Z';
const THREE_MINUTES_LATER = new Date('2026-11-23T15:03:00Z');

describe("reconciliation's conditional writes", () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('refuses to adopt over a book whose fills moved on since it was read', async () => {
    // Prepare
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    const read = await h.deps.book.get();
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 2, price: 100 }));
    const plan = planAdoption('AAPL', read.symbols.AAPL, { qty: 5, avgPrice: 100 }, MONDAY_10_00);

    // Act
    const written = await h.deps.book.adoptPosition(plan, read.fillsVersion, h.deps.now());

    // Assess
    expect(written).toBe(false);
    expect((await h.deps.book.get()).symbols.AAPL?.position.qty).toBe(2);
  });

  it('refuses to adopt a symbol on which an order reserved since the book was read', async () => {
    // Prepare
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    const read = await h.deps.book.get();
    await placeDirectly(h, { id: 'new', symbol: 'AAPL', qty: 3, price: 100, record: false });
    const plan = planAdoption('AAPL', read.symbols.AAPL, { qty: 5, avgPrice: 100 }, MONDAY_10_00);

    // Act
    const written = await h.deps.book.adoptPosition(plan, read.fillsVersion, h.deps.now());

    // Assess
    expect(written).toBe(false);
    expect((await h.deps.book.get()).symbols.AAPL).toMatchObject({ committed: 3, position: { qty: 0 } });
  });

  it('refuses to repair reservations once the book changed since it was read', async () => {
    // Prepare: a stale GOOG reservation, read, then another reservation lands
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    await placeDirectly(h, { id: 'lost', symbol: 'GOOG', qty: 4, price: 150, record: false });
    const read = await h.deps.book.get();
    const repair = planReservationRepair(read, new Set(), THREE_MINUTES_LATER, 120_000);
    await placeDirectly(h, { id: 'next', symbol: 'GOOG', qty: 1, price: 150, record: false });

    // Act
    const written = repair && (await h.deps.book.repairReservations(repair, read, THREE_MINUTES_LATER));

    // Assess
    expect(repair?.count).toBe(2);
    expect(written).toBe(false);
    expect((await h.deps.book.get()).symbols.GOOG?.committed).toBe(5);
  });

  it('keeps the newest drift report when an older pass finishes last', async () => {
    // Prepare
    h = await startHarness();
    const records = h.deps.book.reconcileRecords();
    const newer = {
      at: '2026-11-23T15:05:00.000Z',
      policy: 'alert' as const,
      drift: [],
      actions: [],
      deferred: [],
    };
    const older = {
      ...newer,
      at: '2026-11-23T15:04:00.000Z',
      drift: [{ symbol: 'TSLA', ours: 0, broker: 1 }],
    };

    // Act
    const first = await records.saveLast(newer);
    const second = await records.saveLast(older);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await records.last()).toEqual(newer);
  });
});
