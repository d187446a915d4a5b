import { afterEach, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../src/app/reconcile-pass.ts';
import { riskContextFor } from '../../src/app/trading-settings.ts';
import { parseAlert } from '../../src/domain/alert.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import { checkOrder } from '../../src/domain/risk.ts';
import type { OrderIntent } from '../../src/domain/sizing.ts';
import { type Harness, orderRecord, startHarness } from '../support/app-harness.ts';
import { ScriptedBroker } from '../support/scripted-broker.ts';

/** Runs a pass through POST /api/reconcile and returns its report. */
async function reconcile(h: Harness): Promise<ReconcileReport> {
  const reply = await h.api('/reconcile', { method: 'POST' });
  expect(reply.status).toBe(200);
  const parsed: { report: ReconcileReport } = JSON.parse(reply.text);
  return parsed.report;
}

describe('the reconcile pass', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('settles the rest of a partial fill, and a second pass changes nothing', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__BROKER__PAPER__PARTIAL_FILL_RATIO: '0.5' } });
    const { answer } = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100 }));
    const positionsBefore = await h.positions();

    // Act
    const first = await reconcile(h);
    const bookAfterFirst = await h.deps.book.get();
    const ordersAfterFirst = await h.orders();
    const second = await reconcile(h);

    // Assess
    expect(answer).toMatchObject({ status: 'accepted', orderStatus: 'PARTIALLY_FILLED', filledQty: 5 });
    expect(positionsBefore).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 5, pendingOpenQty: 5 })]);
    expect(first).toMatchObject({ ordersChecked: 1, ordersSettled: 1, drift: [], positionsCompared: true });
    expect(await h.deps.orders.get(answer.orderId ?? '')).toMatchObject({
      status: 'FILLED',
      filledQty: 10,
      settled: true,
    });
    expect(await h.positions()).toEqual([
      expect.objectContaining({ symbol: 'AAPL', qty: 10, pendingOpenQty: 0 }),
    ]);
    expect(second).toMatchObject({ ordersChecked: 0, ordersSettled: 0, drift: [], errors: [] });
    // Every pass reads the broker's account afresh; nothing else in the book may move.
    expect(await h.deps.book.get()).toEqual({
      ...bookAfterFirst,
      broker: { ...bookAfterFirst.broker, at: expect.any(String) },
    });
    expect(await h.orders()).toEqual(ordersAfterFirst);
  });

  it('settles a partial fill once when passes run at the same time', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__BROKER__PAPER__PARTIAL_FILL_RATIO: '0.3' } });
    const harness = h;
    const { answer } = await harness.post(
      harness.alert({ symbol: 'AMD', action: 'buy', quantity: 10, price: 120 }),
    );

    // Act
    const reports = await Promise.all([1, 2, 3].map(() => reconcile(harness)));

    // Assess
    expect(answer).toMatchObject({ orderStatus: 'PARTIALLY_FILLED', filledQty: 3 });
    for (const report of reports) expect(report.errors).toEqual([]);
    const book = await harness.deps.book.get();
    expect(book.symbols.AMD).toMatchObject({ committed: 10, position: expect.objectContaining({ qty: 10 }) });
    expect(book.exposure).toBe(1200.24);
    expect(await harness.deps.broker.getPositions()).toEqual([
      expect.objectContaining({ symbol: 'AMD', qty: 10 }),
    ]);
    expect(await harness.deps.orders.get(answer.orderId ?? '')).toMatchObject({
      status: 'FILLED',
      filledQty: 10,
    });
  });

  it('settles a pending order the broker did take although its answer was lost', async () => {
    // Prepare
    const broker = new ScriptedBroker();
    broker.mode = 'lose-answer';
    h = await startHarness({
      env: { PINEBRIDGE__WEBHOOK__DEADLINE_MS: '300' },
      broker: (paper) => broker.over(paper),
    });
    const { status, answer } = await h.post(
      h.alert({ symbol: 'META', action: 'buy', quantity: 6, price: 500 }),
    );
    await Promise.all(broker.lost);
    const pendingBook = await h.deps.book.get();

    // Act
    const report = await reconcile(h);

    // Assess
    expect(status).toBe(202);
    expect(pendingBook.symbols.META).toMatchObject({
      committed: 6,
      position: expect.objectContaining({ qty: 0 }),
    });
    expect(report).toMatchObject({ ordersChecked: 1, ordersSettled: 1, drift: [], errors: [] });
    expect(await h.deps.orders.get(answer.orderId ?? '')).toMatchObject({ status: 'FILLED', settled: true });
    expect(await h.positions()).toEqual([
      expect.objectContaining({ symbol: 'META', qty: 6, pendingOpenQty: 0 }),
    ]);
  });

  it('closes an in-flight order the broker never saw and releases its reservation', async () => {
    // Prepare: what a crash between recording and submitting leaves: a reservation and an IN_FLIGHT order
    h = await startHarness();
    const now = h.deps.now();
    const intent: OrderIntent = {
      symbol: 'GOOG',
      side: 'buy',
      qty: 4,
      effect: 'open',
      type: 'market',
      timeInForce: 'day',
      referencePrice: 150,
    };
    const parsed = parseAlert({ symbol: 'GOOG', action: 'buy', quantity: 4, price: 150 });
    if (!parsed.ok) return expect.unreachable('the setup alert is valid');
    const context = riskContextFor(h.deps.trading, parsed.alert, now);
    const risk = checkOrder(await h.deps.book.get(), intent, h.deps.trading.limits, context);
    if (!risk.ok) return expect.unreachable(`risk denied the setup order: ${risk.denial.code}`);
    expect(await h.deps.book.reserve(risk.reservation, now)).toBeDefined();
    const stale = orderRecord(h.deps.accountId, {
      id: 'lost',
      symbol: 'GOOG',
      qty: 4,
      referencePrice: 150,
      createdAt: new Date(now.getTime() - 3 * 60_000),
    });
    expect(await h.deps.orders.create(stale)).toBe(true);
    const reserved = await h.deps.book.get();

    // Act
    const report = await reconcile(h);

    // Assess
    expect(reserved).toMatchObject({ openSymbols: ['GOOG'], exposure: 600 });
    expect(reserved.symbols.GOOG?.committed).toBe(4);
    expect(report).toMatchObject({ ordersChecked: 1, ordersClosedUnknown: 1, stillOpen: 0 });
    expect(await h.deps.orders.get(stale.clientOrderId)).toMatchObject({
      status: 'REJECTED',
      settled: true,
      reason: 'the broker has no record of this order',
    });
    const book = await h.deps.book.get();
    expect(book.symbols.GOOG?.committed).toBe(0);
    expect(book.openSymbols).toEqual([]);
    expect(book.exposure).toBe(0);
    expect(await h.deps.orders.listOpen()).toEqual([]);
  });

  it('leaves an unknown in-flight order open while it is younger than the grace period', async () => {
    // Prepare
    h = await startHarness();
    const fresh = orderRecord(h.deps.accountId, {
      id: 'fresh',
      symbol: 'GOOG',
      qty: 1,
      createdAt: new Date(h.deps.now().getTime() - 10_000),
    });
    await h.deps.orders.create(fresh);

    // Act
    const report = await reconcile(h);

    // Assess
    expect(report).toMatchObject({ ordersChecked: 1, ordersClosedUnknown: 0, stillOpen: 1 });
    expect(await h.deps.orders.get(fresh.clientOrderId)).toMatchObject({
      status: 'IN_FLIGHT',
      settled: false,
    });
  });

  it('reports drift when the broker holds a position we do not', async () => {
    // Prepare: an order placed at the broker behind our back, plus one we know about
    h = await startHarness();
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 2, price: 100 }));
    await h.deps.broker.submitOrder({
      clientOrderId: asClientOrderId('manual-1'),
      symbol: 'TSLA',
      side: 'buy',
      qty: 3,
      type: 'market',
      timeInForce: 'day',
      referencePrice: 200,
    });

    // Act
    const report = await reconcile(h);

    // Assess
    expect(report.positionsCompared).toBe(true);
    expect(report.drift).toEqual([{ symbol: 'TSLA', ours: 0, broker: 3 }]);
    expect(await h.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 2 })]);
  });
});
