/**
 * One reconciliation pass:
 * 1. Every unsettled order (found through the sparse index, so the cost follows their number, not
 *    history) is looked up at the broker and its report settled. Orders the broker has never heard of
 *    are closed as REJECTED once older than the grace period, which releases what they reserved. A
 *    day order still working after its session's close is cancelled at the broker and settled once
 *    the broker reports it ended; until then it is reported as expiring.
 * 2. The broker's account figures are read into the book.
 * 3. Reservation counters no unsettled order holds (a crash between reserving and recording an
 *    order leaves them) are reset, only once the book has been quiet for the grace period.
 * 4. Our positions are compared with the broker's and the drift policy applied (src/domain/
 *    reconciliation.ts decides); the comparison is stored as the account's last drift report.
 *
 * Invariants: a broker that cannot report positions is never read as flat (the comparison is skipped
 * and said so). Our book is read before the broker's positions, so a fill we settled is one the broker
 * already shows. Every book write is conditional on what it was planned from, so the pass is
 * idempotent and safe to run concurrently with itself and with webhooks.
 */
import type { BrokerPort } from '../brokers/port.ts';
import type { Book } from '../domain/book.ts';
import {
  type DriftDecision,
  type DriftPolicy,
  dayOrderExpired,
  decideDrift,
  type PositionDrift,
  planAdoption,
  planReservationRepair,
} from '../domain/reconciliation.ts';
import type { OrderRecord } from '../store/order-store.ts';
import type { LastReconcile, ReportedAction } from '../store/reconcile-store.ts';
import { errorFields, type Logger } from './logger.ts';
import { METRIC, type Metrics } from './metrics.ts';
import { lookUpOrder } from './order-lookup.ts';
import { rejectedReport, type SettlerDeps, settleReport } from './order-settler.ts';
import type { TradingSettings } from './trading-settings.ts';

export type { PositionDrift } from '../domain/reconciliation.ts';

/** What the pass needs. */
export interface ReconcileDeps extends SettlerDeps {
  broker: BrokerPort;
  log: Logger;
  metrics: Metrics;
  /** How long an in-flight order the broker does not know may wait before it is closed. */
  unknownOrderGraceMs: number;
  /** The market calendar decides when day orders expire. */
  trading: TradingSettings;
  /** What to do about position drift (`reconcile.driftPolicy`); `alert` when not given. */
  driftPolicy?: DriftPolicy | undefined;
}

/** What one pass found and did. */
export interface ReconcileReport {
  startedAt: string;
  durationMs: number;
  ordersChecked: number;
  ordersSettled: number;
  ordersClosedUnknown: number;
  /** Day orders ended (cancelled or expired) because their session closed. */
  ordersExpired: number;
  /** Day orders past their session's close that the broker still reports working. */
  expiring: number;
  stillOpen: number;
  /** Stale reservation counters reset (per symbol, plus one for the account's pending notional). */
  reservationsRepaired: number;
  drift: PositionDrift[];
  driftPolicy: DriftPolicy;
  actions: ReportedAction[];
  deferred: DriftDecision['deferred'];
  positionsCompared: boolean;
  errors: Array<{ clientOrderId?: string; message: string }>;
}

type OrderOutcome = 'settled' | 'closed-unknown' | 'expired' | 'expiring' | 'open';

const OUTCOME_FIELD = {
  settled: 'ordersSettled',
  'closed-unknown': 'ordersClosedUnknown',
  expired: 'ordersExpired',
  expiring: 'expiring',
  open: 'stillOpen',
} as const satisfies Record<OrderOutcome, keyof ReconcileReport>;

/** How often the drift step re-reads and re-decides when the book moves under it. */
const DRIFT_ATTEMPTS = 5;

/** Runs one pass. Safe to run concurrently with itself and with webhooks: every write is conditional. */
export async function reconcileOnce(deps: ReconcileDeps): Promise<ReconcileReport> {
  const started = performance.now();
  const policy = deps.driftPolicy ?? 'alert';
  const report: ReconcileReport = {
    startedAt: deps.now().toISOString(),
    durationMs: 0,
    ordersChecked: 0,
    ordersSettled: 0,
    ordersClosedUnknown: 0,
    ordersExpired: 0,
    expiring: 0,
    stillOpen: 0,
    reservationsRepaired: 0,
    drift: [],
    driftPolicy: policy,
    actions: [],
    deferred: [],
    positionsCompared: false,
    errors: [],
  };
  const unsettled = new Set<string>();
  const remaining: OrderRecord[] = [];
  for (const order of await deps.orders.listOpen()) {
    report.ordersChecked += 1;
    try {
      const outcome = await reconcileOrder(deps, order);
      report[OUTCOME_FIELD[outcome]] += 1;
      if (outcome === 'open' || outcome === 'expiring') {
        unsettled.add(order.symbol);
        remaining.push(order);
      }
    } catch (error) {
      unsettled.add(order.symbol);
      remaining.push(order);
      report.errors.push({ clientOrderId: order.clientOrderId, message: String(errorFields(error).error) });
      deps.log.error('reconcile: order failed', {
        clientOrderId: order.clientOrderId,
        ...errorFields(error),
      });
    }
  }
  await step(report, 'broker account not read', () => refreshBrokerSnapshot(deps));
  await step(report, 'reservations not repaired', async () => {
    report.reservationsRepaired = await repairReservations(deps, unsettled);
  });
  await step(report, 'positions not compared', async () => {
    const { last, contended } = await compareAndAct(deps, policy, unsettled);
    Object.assign(report, { drift: last.drift, actions: last.actions, deferred: last.deferred });
    report.positionsCompared = true;
    if (contended) report.errors.push({ message: 'drift actions not applied: the book kept changing' });
    await deps.book.reconcileRecords().saveLast(last);
  });
  if (report.drift.length > 0) deps.log.warn('reconcile: position drift', { drift: report.drift, policy });
  report.durationMs = Math.round(performance.now() - started);
  countPass(deps, report, remaining);
  const quiet =
    report.ordersChecked === 0 &&
    report.drift.length === 0 &&
    report.errors.length === 0 &&
    report.reservationsRepaired === 0;
  const summary = {
    ...report,
    drift: report.drift.length,
    actions: report.actions.length,
    deferred: report.deferred.length,
    errors: report.errors.length,
  };
  if (quiet) deps.log.debug('reconcile pass', summary);
  else deps.log.info('reconcile pass', summary);
  return report;
}

/** The pass's metrics, with the orders it left unsettled. */
function countPass(deps: ReconcileDeps, report: ReconcileReport, open: readonly OrderRecord[]): void {
  const { metrics } = deps;
  const account = { Account: deps.trading.accountId };
  const oldest = open.reduce(
    (min, order) => Math.min(min, Date.parse(order.createdAt)),
    Number.POSITIVE_INFINITY,
  );
  const ageSeconds = open.length === 0 ? 0 : Math.max(0, (deps.now().getTime() - oldest) / 1000);
  metrics.record(METRIC.reconcileRuns, 1, 'Count', account);
  metrics.record(METRIC.reconcileDuration, report.durationMs, 'Milliseconds', account);
  metrics.record(METRIC.driftCount, report.drift.length, 'Count', account);
  metrics.record(METRIC.inFlightOrders, open.length, 'Count', account);
  metrics.record(METRIC.oldestInFlightAge, Math.round(ageSeconds), 'Seconds', account);
  metrics.record(METRIC.reconcileErrors, report.errors.length > 0 ? 1 : 0, 'Count', account);
}

async function step(report: ReconcileReport, failure: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    report.errors.push({ message: `${failure}: ${String(errorFields(error).error)}` });
  }
}

async function reconcileOrder(deps: ReconcileDeps, order: OrderRecord): Promise<OrderOutcome> {
  const found = await lookUpOrder(deps.broker, order);
  if (!found) return closeIfUnknown(deps, order);
  const settled = await settleReport(deps, order, found, 'reconcile');
  const pastClose = dayOrderExpired(order, new Date(order.createdAt), deps.now(), deps.trading.market);
  if (settled.settled || !pastClose) return outcomeOf(settled, pastClose);
  // The session is over and the broker still works the order: cancel it, then settle what it says.
  await deps.broker.cancelOrder(settled);
  const after = await lookUpOrder(deps.broker, settled);
  const final = after ? await settleReport(deps, settled, after, 'reconcile') : settled;
  return final.settled ? outcomeOf(final, true) : 'expiring';
}

function outcomeOf(order: OrderRecord, pastClose: boolean): OrderOutcome {
  if (!order.settled) return 'open';
  const ended = order.status === 'CANCELED' || order.status === 'EXPIRED';
  return pastClose && ended ? 'expired' : 'settled';
}

async function closeIfUnknown(deps: ReconcileDeps, order: OrderRecord): Promise<OrderOutcome> {
  const age = deps.now().getTime() - Date.parse(order.createdAt);
  if (age < deps.unknownOrderGraceMs) return 'open';
  const closed = rejectedReport(order, 'the broker has no record of this order', deps.now().toISOString());
  await settleReport(deps, order, closed, 'reconcile');
  return 'closed-unknown';
}

/**
 * Resets stale reservation counters; answers how many were reset. What looks stale against the orders
 * listed at the start of the pass is checked against a fresh listing read after the book, so an order
 * recorded meanwhile is seen; the write is conditional on the book as read.
 */
async function repairReservations(deps: ReconcileDeps, unsettled: ReadonlySet<string>): Promise<number> {
  const book = await deps.book.get();
  const now = deps.now();
  if (!planReservationRepair(book, unsettled, now, deps.unknownOrderGraceMs)) return 0;
  const fresh = new Set((await deps.orders.listOpen()).map((order) => order.symbol));
  const repair = planReservationRepair(book, fresh, now, deps.unknownOrderGraceMs);
  if (!repair) return 0;
  if (!(await deps.book.repairReservations(repair, book, now))) return 0;
  deps.log.warn('reconcile: stale reservations released', {
    symbols: repair.symbols,
    closes: repair.closes,
    pendingNotional: repair.pendingNotional,
  });
  return repair.count;
}

/**
 * Compares positions and applies the policy, re-reading both sides when the book moved between the
 * comparison and a write (the drift may have been a fill being applied). Actions already applied in
 * an earlier attempt stay in the report, with the drift that caused them.
 */
async function compareAndAct(
  deps: ReconcileDeps,
  policy: DriftPolicy,
  unsettled: ReadonlySet<string>,
): Promise<{ last: LastReconcile; contended: boolean }> {
  const done: ReportedAction[] = [];
  const doneDrift: PositionDrift[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const at = deps.now().toISOString();
    const book = await deps.book.get();
    const theirs = await deps.broker.getPositions();
    const decision = decideDrift({ ours: book.symbols, broker: theirs, unsettledSymbols: unsettled, policy });
    const { actions, contended } = await applyActions(deps, book, decision, at);
    const applied = actions.filter((action) => action.applied);
    const last: LastReconcile = {
      at,
      policy,
      drift: [...doneDrift, ...decision.drift].sort((a, b) => a.symbol.localeCompare(b.symbol)),
      actions: [...done, ...actions],
      deferred: decision.deferred,
    };
    if (!contended || attempt >= DRIFT_ATTEMPTS) return { last, contended };
    done.push(...applied);
    const adopted = new Set(
      applied.flatMap((action) => (action.kind === 'ADOPT_POSITION' ? [action.symbol] : [])),
    );
    doneDrift.push(...decision.drift.filter((drift) => adopted.has(drift.symbol)));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
}

/** Carries out the decided actions in order; stops at the first one the book's changes overtook. */
async function applyActions(
  deps: ReconcileDeps,
  book: Book,
  decision: DriftDecision,
  at: string,
): Promise<{ actions: ReportedAction[]; contended: boolean }> {
  const records = deps.book.reconcileRecords();
  const actions: ReportedAction[] = [];
  const overtaken = (from: number) => ({
    actions: [...actions, ...decision.actions.slice(from).map((action) => ({ ...action, applied: false }))],
    contended: true,
  });
  let version = book.fillsVersion;
  for (const [index, action] of decision.actions.entries()) {
    if (action.kind === 'ADOPT_POSITION') {
      const plan = planAdoption(action.symbol, book.symbols[action.symbol], action.to, at);
      if (!(await deps.book.adoptPosition(plan, version, deps.now()))) return overtaken(index);
      version += 1;
      actions.push({ ...action, applied: true });
      await records.record({
        kind: 'POSITION_ADOPTED',
        at,
        symbol: action.symbol,
        from: action.from,
        to: action.to,
      });
      deps.log.warn('reconcile: adopted the broker position', { ...action });
      continue;
    }
    // Halt only on drift that is still there with the book unchanged: a fill settled meanwhile explains it.
    const again = await deps.book.get();
    if (again.fillsVersion !== version || action.symbols.some((s) => countersMoved(book, again, s))) {
      return overtaken(index);
    }
    const switched = await deps.book.setTradingState('HALTED', deps.now(), ['ACTIVE', 'REDUCING']);
    actions.push({ ...action, applied: switched });
    if (switched) await records.record({ kind: 'TRADING_HALTED', at, symbols: action.symbols });
    const drift = decision.drift.filter((entry) => action.symbols.includes(entry.symbol));
    deps.log.error('reconcile: position drift, trading halted', { drift, switched });
  }
  return { actions, contended: false };
}

function countersMoved(before: Book, after: Book, symbol: string): boolean {
  const a = before.symbols[symbol];
  const b = after.symbols[symbol];
  return (a?.committed ?? 0) !== (b?.committed ?? 0) || (a?.reducing ?? 0) !== (b?.reducing ?? 0);
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
