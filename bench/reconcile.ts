/**
 * Part 6: the cost of a reconcile pass as history grows. For each history size a fresh table gets
 * that many settled orders (written as OrderStore.update leaves them: out of the open-orders index,
 * 25 to a BatchWriteItem, as tests/integration/reconcile-scale.test.ts seeds them) and 10 open
 * orders: recorded, reserved nothing, and resting at the paper broker as GTC limit orders far from
 * the market. Then passes run as the reconcile Lambda runs them (deps.reconcileAll); the first pass
 * moves the 10 orders from IN_FLIGHT to ACCEPTED, later passes find nothing to change. Time and
 * consumed units per pass are reported; against DynamoDB Local, which reports units.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type AlertId, asAlertId, asClientOrderId } from '../src/domain/ids.ts';
import type { OrderRecord } from '../src/store/order-store.ts';
import { keys } from '../src/store/table.ts';
import { type Trip, totals } from './ddb-meter.ts';
import type { Engine } from './engines.ts';
import { type BenchLambda, bootLambda } from './lambda-app.ts';
import { median, round } from './stats.ts';

/** One history size. */
export interface ReconcileRun {
  closedOrders: number;
  openOrders: number;
  /** Every pass, in order. */
  passMs: number[];
  firstPassMs: number;
  /** Median of all passes. */
  medianPassMs: number;
  /** Median of the passes after the first (nothing left to change: the steady state). */
  steadyPassMs: number;
  firstPass: PassCost;
  steadyPass: PassCost;
  ordersChecked: number;
}

/** DynamoDB cost of one pass. */
export interface PassCost {
  trips: number;
  rcu: number;
  wcu: number;
  /** Items the pass read (ScannedCount of its queries, plus items its GetItems found). */
  itemsRead: number;
}

const OPEN = 10;

/**
 * Measures `passes` passes with 10 open orders and each history size. The tables are all seeded
 * first and the passes interleaved (one pass on each size in turn, each round starting at the next
 * size), so warm-up and drift of the engine or the machine fall on every size alike.
 */
export async function measureReconcile(
  engine: Engine,
  sizes: readonly number[],
  passes: number,
): Promise<ReconcileRun[]> {
  const setups: Array<{
    closed: number;
    lambda: BenchLambda;
    passMs: number[];
    costs: PassCost[];
    checked: number;
  }> = [];
  try {
    for (const closed of sizes) {
      const lambda = await bootLambda(engine.endpoint, await engine.createTable(`bench-rec-${closed}`));
      setups.push({ closed, lambda, passMs: [], costs: [], checked: 0 });
      lambda.meter.enabled = false;
      await seedClosed(lambda, closed);
      await seedOpen(lambda);
      lambda.meter.enabled = true;
      lambda.meter.take();
    }
    for (let pass = 0; pass < passes; pass += 1) {
      // Each round starts at another size, so no size always runs right after seeding or first.
      const order = setups.map((_, i) => setups[(i + pass) % setups.length]);
      for (const setup of order) {
        if (setup === undefined) continue;
        const started = performance.now();
        const [report] = await setup.lambda.deps.reconcileAll();
        setup.passMs.push(round(performance.now() - started, 2));
        setup.costs.push(cost(setup.lambda.meter.take()));
        if (report?.ok !== true) throw new Error(`reconcile pass failed: ${JSON.stringify(report)}`);
        setup.checked = report.report.ordersChecked;
      }
    }
    return setups.map(({ closed, passMs, costs, checked }) => {
      const steady = costs.slice(1);
      return {
        closedOrders: closed,
        openOrders: OPEN,
        passMs,
        firstPassMs: passMs[0] ?? Number.NaN,
        medianPassMs: median(passMs),
        steadyPassMs: median(passMs.slice(1)),
        firstPass: costs[0] ?? cost([]),
        steadyPass: steady[Math.floor(steady.length / 2)] ?? cost([]),
        ordersChecked: checked,
      };
    });
  } finally {
    for (const setup of setups) setup.lambda.close();
  }
}

function cost(trips: readonly Trip[]): PassCost {
  const sum = totals(trips);
  return { trips: sum.trips, rcu: sum.rcu, wcu: sum.wcu, itemsRead: sum.itemsRead };
}

/** A filled, settled order of `day` as the webhook leaves it, with its fill and status events. */
function settledOrder(accountId: string, index: number, at: Date): OrderRecord {
  const iso = at.toISOString();
  const alertId: AlertId = asAlertId(
    `${at.getTime().toString(36).padStart(9, '0')}${index.toString(16).padStart(12, '0')}`,
  );
  const clientOrderId = asClientOrderId(`pb-${alertId}-1`);
  return {
    accountId,
    alertId,
    clientOrderId,
    symbol: 'AAPL',
    side: 'buy',
    qty: 1,
    effect: 'open',
    referencePrice: 100,
    type: 'market',
    timeInForce: 'day',
    status: 'FILLED',
    brokerOrderId: undefined,
    filledQty: 1,
    avgFillPrice: 100,
    fills: [
      {
        fillId: `${clientOrderId}-f1`,
        clientOrderId,
        symbol: 'AAPL',
        side: 'buy',
        qty: 1,
        price: 100,
        commission: 0,
        filledAt: iso,
      },
    ],
    strategy: 'bench-trend',
    settled: true,
    events: [
      { status: 'IN_FLIGHT', at: iso, source: 'webhook' },
      { status: 'FILLED', at: iso, source: 'webhook' },
    ],
    createdAt: iso,
    updatedAt: iso,
  };
}

/** Writes `count` settled orders spread over the past 30 days, 25 to a batch, 8 batches at a time. */
async function seedClosed(lambda: BenchLambda, count: number): Promise<void> {
  const { doc, tableName } = lambda.table;
  const accountId = lambda.deps.accountId;
  const now = Date.now();
  const orders = Array.from({ length: count }, (_, i) =>
    settledOrder(
      accountId,
      i,
      new Date(now - 30 * 86_400_000 + i * Math.floor((29 * 86_400_000) / Math.max(1, count))),
    ),
  );
  const batches: OrderRecord[][] = [];
  for (let i = 0; i < orders.length; i += 25) batches.push(orders.slice(i, i + 25));
  const write = async (batch: OrderRecord[]) => {
    let requests: Record<string, unknown>[] = batch.map((order) => ({
      PutRequest: { Item: { ...keys.order(accountId, order.clientOrderId), ...order } },
    }));
    while (requests.length > 0) {
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = result.UnprocessedItems?.[tableName] ?? [];
    }
  };
  for (let i = 0; i < batches.length; i += 8) await Promise.all(batches.slice(i, i + 8).map(write));
}

/** Ten open orders: recorded IN_FLIGHT and resting at the paper broker (GTC buy limits far below). */
async function seedOpen(lambda: BenchLambda): Promise<void> {
  const { deps } = lambda;
  const now = new Date();
  for (let i = 0; i < OPEN; i += 1) {
    const order: OrderRecord = {
      ...settledOrder(deps.accountId, 1_000_000 + i, now),
      symbol: 'MSFT',
      type: 'limit',
      timeInForce: 'gtc',
      limitPrice: 1,
      status: 'IN_FLIGHT',
      filledQty: 0,
      avgFillPrice: undefined,
      fills: [],
      settled: false,
      events: [{ status: 'IN_FLIGHT', at: now.toISOString(), source: 'webhook' }],
    };
    if (!(await deps.orders.create(order))) throw new Error(`open order ${order.clientOrderId} exists`);
    await deps.broker.submitOrder({
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: 'buy',
      qty: 1,
      type: 'limit',
      timeInForce: 'gtc',
      limitPrice: 1,
      referencePrice: 100,
    });
  }
}
