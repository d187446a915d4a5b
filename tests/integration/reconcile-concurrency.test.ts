import { afterEach, describe, expect, it } from 'vitest';
import { reconcileOnce } from '../../src/app/reconcile-pass.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { DriftPolicy } from '../../src/domain/reconciliation.ts';
import { type Harness, type HarnessOptions, manualClock, startHarness } from '../support/app-harness.ts';
import { placeDirectly } from '../support/reconcile-fixtures.ts';

// New York is UTC-5 in late November 2026.
const MONDAY_10_00 = '2026-11-23T15:00:00Z';
const MONDAY_10_05 = '2026-11-23T15:05:00Z';
const MONDAY_16_05 = '2026-11-23T21:05:00Z';

/** A harness set up by `prepare` at 10:00, its clock then moved to `passAt`. */
interface Scenario {
  env?: HarnessOptions['env'];
  prepare(h: Harness): Promise<void>;
  passAt: string;
  policy: DriftPolicy;
}

/** Everything a pass may change: our book and orders, the broker's positions, reconcile events. */
async function endState(h: Harness) {
  const events = await h.deps.book.reconcileRecords().events(50);
  return {
    book: await h.deps.book.get(),
    orders: (await h.orders()).sort((a, b) => a.clientOrderId.localeCompare(b.clientOrderId)),
    brokerPositions: await h.deps.broker.getPositions(),
    events,
  };
}

/** Sets `scenario` up on a fresh harness and runs `passes` passes at once; answers the end state. */
async function run(scenario: Scenario, passes: number, opened: Harness[]) {
  const clock = manualClock(MONDAY_10_00);
  const h = await startHarness({ now: clock.now, ...(scenario.env ? { env: scenario.env } : {}) });
  opened.push(h);
  await scenario.prepare(h);
  clock.set(scenario.passAt);
  const reports = await Promise.all(
    Array.from({ length: passes }, () => reconcileOnce({ ...h.deps, driftPolicy: scenario.policy })),
  );
  return { reports, state: await endState(h) };
}

/** Buys at the paper broker behind our back. */
async function buyAtBroker(h: Harness, symbol: string, qty: number, price: number): Promise<void> {
  await h.deps.broker.submitOrder({
    clientOrderId: asClientOrderId(`manual-${symbol}`),
    symbol,
    side: 'buy',
    qty,
    type: 'market',
    timeInForce: 'gtc',
    referencePrice: price,
  });
}

describe('reconcile passes running at the same time', () => {
  const opened: Harness[] = [];
  afterEach(() => {
    for (const h of opened.splice(0)) h.close();
  });

  it('settle, expire and halt exactly as one pass does', async () => {
    // Prepare: a partial fill whose rest the broker fills next, a resting day order past the close,
    // and a position bought at the broker behind our back, under the halt policy
    const scenario: Scenario = {
      env: { PINEBRIDGE__BROKER__PAPER__PARTIAL_FILL_RATIO: '0.5' },
      prepare: async (h) => {
        await placeDirectly(h, { id: 'amd', symbol: 'AMD', qty: 10, price: 120, timeInForce: 'gtc' });
        await placeDirectly(h, {
          id: 'day',
          symbol: 'AAPL',
          qty: 5,
          price: 100,
          type: 'limit',
          limitPrice: 90,
        });
        await buyAtBroker(h, 'TSLA', 4, 200);
      },
      passAt: MONDAY_16_05,
      policy: 'halt',
    };

    // Act
    const one = await run(scenario, 1, opened);
    const three = await run(scenario, 3, opened);

    // Assess
    expect(one.reports[0]).toMatchObject({ ordersSettled: 1, ordersExpired: 1, errors: [] });
    expect(one.state.book.tradingState).toBe('HALTED');
    expect(one.state.orders.map((order) => [order.symbol, order.status, order.settled])).toEqual([
      ['AMD', 'FILLED', true],
      ['AAPL', 'EXPIRED', true],
    ]);
    for (const report of three.reports) expect(report.errors).toEqual([]);
    expect(three.state).toEqual(one.state);
  });

  it('repair stale reservations and adopt drift exactly as one pass does', async () => {
    // Prepare: a reservation nothing holds, and a position bought at the broker behind our back
    const scenario: Scenario = {
      prepare: async (h) => {
        await placeDirectly(h, { id: 'lost', symbol: 'GOOG', qty: 4, price: 150, record: false });
        await buyAtBroker(h, 'TSLA', 3, 200);
      },
      passAt: MONDAY_10_05,
      policy: 'adopt',
    };

    // Act
    const one = await run(scenario, 1, opened);
    const three = await run(scenario, 3, opened);

    // Assess
    expect(one.reports[0]).toMatchObject({
      reservationsRepaired: 2,
      actions: [{ kind: 'ADOPT_POSITION', symbol: 'TSLA', applied: true }],
      errors: [],
    });
    expect(one.state.book).toMatchObject({ openSymbols: ['TSLA'], pendingNotional: 0 });
    expect(one.state.book.symbols.TSLA).toMatchObject({ committed: 3, position: { qty: 3 } });
    expect(one.state.events).toHaveLength(1);
    for (const report of three.reports) expect(report.errors).toEqual([]);
    expect(three.reports.reduce((sum, report) => sum + report.reservationsRepaired, 0)).toBe(2);
    expect(three.state).toEqual(one.state);
  });
});
