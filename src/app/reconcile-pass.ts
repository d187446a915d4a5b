/**
 * One reconciliation pass: every unsettled order (found through the sparse index, so the cost follows
 * their number, not history) is looked up at the broker and its report settled; orders the broker
 * has never heard of are closed as REJECTED once older than the grace period, which releases what
 * they reserved; then our positions are compared with the broker's. A broker that cannot report
 * positions is never read as flat: the comparison is skipped and said so.
 */
import type { BrokerPort } from '../brokers/port.ts';
import { round } from '../domain/position.ts';
import type { OrderRecord } from '../store/order-store.ts';
import { errorFields, type Logger } from './logger.ts';
import { rejectedReport, type SettlerDeps, settleReport } from './order-settler.ts';

/** What the pass needs. */
export interface ReconcileDeps extends SettlerDeps {
  broker: BrokerPort;
  log: Logger;
  /** How long an in-flight order the broker does not know may wait before it is closed. */
  unknownOrderGraceMs: number;
}

/** A difference between our position and the broker's. */
export interface PositionDrift {
  symbol: string;
  ours: number;
  broker: number;
}

/** What one pass found and did. */
export interface ReconcileReport {
  startedAt: string;
  durationMs: number;
  ordersChecked: number;
  ordersSettled: number;
  ordersClosedUnknown: number;
  stillOpen: number;
  drift: PositionDrift[];
  positionsCompared: boolean;
  errors: Array<{ clientOrderId?: string; message: string }>;
}

/** Runs one pass. Safe to run concurrently with itself and with webhooks: every write is idempotent. */
export async function reconcileOnce(deps: ReconcileDeps): Promise<ReconcileReport> {
  const started = performance.now();
  const startedAt = deps.now();
  const report: ReconcileReport = {
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    ordersChecked: 0,
    ordersSettled: 0,
    ordersClosedUnknown: 0,
    stillOpen: 0,
    drift: [],
    positionsCompared: false,
    errors: [],
  };
  for (const order of await deps.orders.listOpen()) {
    report.ordersChecked += 1;
    try {
      const updated = await reconcileOrder(deps, order);
      if (updated === 'closed-unknown') report.ordersClosedUnknown += 1;
      else if (updated.settled) report.ordersSettled += 1;
      else report.stillOpen += 1;
    } catch (error) {
      report.errors.push({ clientOrderId: order.clientOrderId, message: errorFields(error).error as string });
      deps.log.error('reconcile: order failed', {
        clientOrderId: order.clientOrderId,
        ...errorFields(error),
      });
    }
  }
  try {
    await refreshBrokerSnapshot(deps);
  } catch (error) {
    report.errors.push({ message: `broker account not read: ${String(errorFields(error).error)}` });
  }
  try {
    report.drift = await comparePositions(deps);
    report.positionsCompared = true;
  } catch (error) {
    report.errors.push({ message: `positions not compared: ${String(errorFields(error).error)}` });
  }
  if (report.drift.length > 0) deps.log.warn('reconcile: position drift', { drift: report.drift });
  report.durationMs = Math.round(performance.now() - started);
  const quiet = report.ordersChecked === 0 && report.drift.length === 0 && report.errors.length === 0;
  const summary = { ...report, drift: report.drift.length, errors: report.errors.length };
  if (quiet) deps.log.debug('reconcile pass', summary);
  else deps.log.info('reconcile pass', summary);
  return report;
}

async function reconcileOrder(
  deps: ReconcileDeps,
  order: OrderRecord,
): Promise<OrderRecord | 'closed-unknown'> {
  const found = await deps.broker.getOrder(order.clientOrderId);
  if (found) return settleReport(deps, order, found, 'reconcile');
  const age = deps.now().getTime() - Date.parse(order.createdAt);
  if (age < deps.unknownOrderGraceMs) return order;
  const closed = rejectedReport(order, 'the broker has no record of this order', deps.now().toISOString());
  await settleReport(deps, order, closed, 'reconcile');
  return 'closed-unknown';
}

async function comparePositions(deps: ReconcileDeps): Promise<PositionDrift[]> {
  const [book, theirs] = await Promise.all([deps.book.get(), deps.broker.getPositions()]);
  const brokerQty = new Map(theirs.map((position) => [position.symbol, position.qty]));
  const symbols = new Set([...brokerQty.keys(), ...Object.keys(book.symbols)]);
  const drift: PositionDrift[] = [];
  for (const symbol of [...symbols].sort()) {
    const ours = book.symbols[symbol]?.position.qty ?? 0;
    const broker = brokerQty.get(symbol) ?? 0;
    if (round(ours - broker) !== 0) drift.push({ symbol, ours, broker });
  }
  return drift;
}

/** Reads the broker's equity, cash and buying power into the book (sizing and risk use them). */
export async function refreshBrokerSnapshot(
  deps: Pick<ReconcileDeps, 'broker' | 'book' | 'now'>,
): Promise<void> {
  const account = await deps.broker.getAccount();
  await deps.book.setBrokerSnapshot({
    equity: account.equity,
    cash: account.cash,
    buyingPower: account.buyingPower,
    at: deps.now().toISOString(),
  });
}
