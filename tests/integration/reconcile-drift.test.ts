import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ReconcileReport, reconcileOnce } from '../../src/app/reconcile-pass.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { DriftPolicy } from '../../src/domain/reconciliation.ts';
import { type Harness, manualClock, startHarness } from '../support/app-harness.ts';
import { RestingBroker } from '../support/resting-broker.ts';

// Monday 2026-11-23, 10:00 in New York: the session is open.
const MONDAY_10_00 = '2026-11-23T15:00:00Z';

/** One pass under `policy`, as reconcile.driftPolicy configures it. */
function pass(h: Harness, policy: DriftPolicy): Promise<ReconcileReport> {
  return reconcileOnce({ ...h.deps, driftPolicy: policy });
}

/** Buys `qty` of `symbol` at the paper broker behind our back. */
async function buyAtBroker(
  h: Harness,
  id: string,
  symbol: string,
  qty: number,
  price: number,
): Promise<void> {
  await h.deps.broker.submitOrder({
    clientOrderId: asClientOrderId(`manual-${id}`),
    symbol,
    side: 'buy',
    qty,
    type: 'market',
    timeInForce: 'gtc',
    referencePrice: price,
  });
}

const LastReconcileView = z.object({
  at: z.string(),
  policy: z.string(),
  drift: z.array(z.object({ symbol: z.string(), ours: z.number(), broker: z.number() })),
  actions: z.array(z.looseObject({ kind: z.string(), applied: z.boolean() })),
  deferred: z.array(z.object({ symbol: z.string(), reason: z.string() })),
});

/** GET /api/account's lastReconcile. */
async function lastReconcile(h: Harness) {
  const reply = await h.api('/account');
  const parsed = z
    .object({ account: z.looseObject({ lastReconcile: LastReconcileView.nullable() }) })
    .parse(JSON.parse(reply.text));
  return parsed.account.lastReconcile;
}

describe('the drift policy', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('only reports and records drift under the default alert policy, and shows it on the account', async () => {
    // Prepare
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 2, price: 100 }));
    await buyAtBroker(h, '1', 'TSLA', 3, 200);
    const bookBefore = await h.deps.book.get();
    const before = await lastReconcile(h);

    // Act
    const reply = await h.api('/reconcile', { method: 'POST' });
    const report: ReconcileReport = JSON.parse(reply.text).report;

    // Assess
    expect(before).toBeNull();
    expect(report).toMatchObject({
      driftPolicy: 'alert',
      drift: [{ symbol: 'TSLA', ours: 0, broker: 3 }],
      actions: [],
      positionsCompared: true,
    });
    expect(await lastReconcile(h)).toEqual({
      at: '2026-11-23T15:00:00.000Z',
      policy: 'alert',
      drift: [{ symbol: 'TSLA', ours: 0, broker: 3 }],
      actions: [],
      deferred: [],
    });
    const book = await h.deps.book.get();
    expect(book.symbols).toEqual(bookBefore.symbols);
    expect(book.tradingState).toBe('ACTIVE');
    expect(h.logs.some((line) => line.includes('"level":"warn"') && line.includes('position drift'))).toBe(
      true,
    );
  });

  it("adopts the broker's positions under adopt, keeping realized P&L, with an event for each", async () => {
    // Prepare: a realized gain on AAPL, then one more AAPL and 3 TSLA bought at the broker behind our back
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 4, price: 100 }));
    await h.post(h.alert({ symbol: 'AAPL', action: 'sell', quantity: 2, price: 110 }));
    await buyAtBroker(h, '1', 'AAPL', 1, 120);
    await buyAtBroker(h, '2', 'TSLA', 3, 200);
    const before = await h.deps.book.get();
    const theirs = new Map((await h.deps.broker.getPositions()).map((p) => [p.symbol, p]));

    // Act
    const report = await pass(h, 'adopt');
    const again = await pass(h, 'adopt');

    // Assess
    const aapl = theirs.get('AAPL');
    const tsla = theirs.get('TSLA');
    expect(report.drift).toEqual([
      { symbol: 'AAPL', ours: 2, broker: 3 },
      { symbol: 'TSLA', ours: 0, broker: 3 },
    ]);
    expect(report.actions).toEqual([
      {
        kind: 'ADOPT_POSITION',
        symbol: 'AAPL',
        from: { qty: 2, avgPrice: before.symbols.AAPL?.position.avgPrice },
        to: { qty: 3, avgPrice: aapl?.avgPrice },
        applied: true,
      },
      {
        kind: 'ADOPT_POSITION',
        symbol: 'TSLA',
        from: { qty: 0, avgPrice: 0 },
        to: { qty: 3, avgPrice: tsla?.avgPrice },
        applied: true,
      },
    ]);
    const book = await h.deps.book.get();
    expect(book.symbols.AAPL).toMatchObject({
      committed: 3,
      reducing: 0,
      position: { qty: 3, avgPrice: aapl?.avgPrice, realizedPnl: before.symbols.AAPL?.position.realizedPnl },
    });
    expect(before.symbols.AAPL?.position.realizedPnl).toBeGreaterThan(0);
    expect(book.symbols.TSLA).toMatchObject({ committed: 3, position: { qty: 3, avgPrice: tsla?.avgPrice } });
    expect(book.openSymbols).toEqual(['AAPL', 'TSLA']);
    expect(book.exposure).toBeCloseTo(3 * (aapl?.avgPrice ?? 0) + 3 * (tsla?.avgPrice ?? 0), 4);
    expect(book.fillsVersion).toBe(before.fillsVersion + 2);
    expect(again).toMatchObject({ drift: [], actions: [], errors: [] });
    const events = await h.deps.book.reconcileRecords().events(10);
    expect(events.map((event) => [event.kind, 'symbol' in event ? event.symbol : ''])).toEqual([
      ['POSITION_ADOPTED', 'TSLA'],
      ['POSITION_ADOPTED', 'AAPL'],
    ]);
  });

  it('defers adopting a symbol with an unsettled order, and leaves its book alone', async () => {
    // Prepare: a resting limit buy of AAPL, and 2 AAPL bought at the broker behind our back
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 5, price: 100, type: 'limit', limit_price: 90 }),
    );
    await buyAtBroker(h, '1', 'AAPL', 2, 100);
    const before = await h.deps.book.get();

    // Act
    const report = await pass(h, 'adopt');

    // Assess
    expect(report).toMatchObject({
      stillOpen: 1,
      drift: [{ symbol: 'AAPL', ours: 0, broker: 2 }],
      actions: [],
      deferred: [{ symbol: 'AAPL', reason: 'UNSETTLED_ORDERS' }],
    });
    expect((await h.deps.book.get()).symbols.AAPL).toEqual(before.symbols.AAPL);
  });

  it('halts trading under halt, logs an error, and denies the next buy', async () => {
    // Prepare
    h = await startHarness({ now: manualClock(MONDAY_10_00).now });
    await buyAtBroker(h, '1', 'TSLA', 3, 200);

    // Act
    const report = await pass(h, 'halt');
    const next = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100 }));

    // Assess
    expect(report.actions).toEqual([{ kind: 'HALT_TRADING', symbols: ['TSLA'], applied: true }]);
    expect((await h.account()).tradingState).toBe('HALTED');
    expect(h.logs.some((line) => line.includes('"level":"error"') && line.includes('trading halted'))).toBe(
      true,
    );
    expect(next.answer).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect(await lastReconcile(h)).toMatchObject({ policy: 'halt', actions: [{ kind: 'HALT_TRADING' }] });
    const events = await h.deps.book.reconcileRecords().events(10);
    expect(events).toEqual([{ kind: 'TRADING_HALTED', at: '2026-11-23T15:00:00.000Z', symbols: ['TSLA'] }]);
  });

  it('takes the policy from PINEBRIDGE__RECONCILE__DRIFT_POLICY when the pass runs through POST /api/reconcile', async () => {
    // Prepare
    h = await startHarness({
      now: manualClock(MONDAY_10_00).now,
      env: { PINEBRIDGE__RECONCILE__DRIFT_POLICY: 'halt' },
    });
    await buyAtBroker(h, '1', 'NFLX', 2, 300);

    // Act
    const reply = await h.api('/reconcile', { method: 'POST' });

    // Assess
    expect(reply.status).toBe(200);
    expect((await h.account()).tradingState).toBe('HALTED');
    expect(await lastReconcile(h)).toMatchObject({ policy: 'halt', actions: [{ kind: 'HALT_TRADING' }] });
  });

  it('never reads a failed position report as flat: nothing is adopted and the last report stays', async () => {
    // Prepare: a first pass records drift; then the positions endpoint goes down
    const clock = manualClock(MONDAY_10_00);
    const broker = new RestingBroker(clock.now);
    broker.positions = [{ symbol: 'TSLA', qty: 1, avgPrice: 250 }];
    h = await startHarness({ now: clock.now, broker: () => broker });
    await pass(h, 'alert');
    const recorded = await lastReconcile(h);
    broker.failPositions = true;
    clock.set('2026-11-23T15:05:00Z');

    // Act
    const report = await pass(h, 'adopt');

    // Assess
    expect(report).toMatchObject({ positionsCompared: false, drift: [], actions: [] });
    expect(report.errors).toEqual([{ message: expect.stringContaining('positions not compared') }]);
    expect((await h.deps.book.get()).symbols.TSLA).toBeUndefined();
    expect(await lastReconcile(h)).toEqual(recorded);
    expect(recorded).toMatchObject({ at: '2026-11-23T15:00:00.000Z', drift: [{ symbol: 'TSLA' }] });
  });
});
