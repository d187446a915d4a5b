/**
 * Executing what an authenticated, new alert asks for: size it into one or two legs, and for each
 * leg check and reserve risk, record the order IN_FLIGHT, submit it within the deadline, and settle
 * the broker's report. Legs run in order; the opening leg of a reversal is sent only once the closing
 * leg has filled, because no broker may be asked to cross zero in one order. The account's circuit
 * breaker is asked before anything is reserved and told the outcome of every submission.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { BrokerPort } from '../brokers/port.ts';
import type { Alert } from '../domain/alert.ts';
import type { Book } from '../domain/book.ts';
import type { Denial } from '../domain/denial.ts';
import { type AlertId, clientOrderIdFor } from '../domain/ids.ts';
import { checkOrder } from '../domain/risk.ts';
import { missedAlertWarnings, type OrderIntent, type SizingMode, sizeOrder } from '../domain/sizing.ts';
import type { AlertStatus } from '../store/alert-store.ts';
import type { OrderRecord } from '../store/order-store.ts';
import type { SymbolSeen } from '../store/reservation-expression.ts';
import type { Admission, CircuitBreaker, CircuitPermit } from './circuit-breaker.ts';
import { needsInFlightSettled, settleInFlight } from './in-flight.ts';
import { errorFields, type Logger } from './logger.ts';
import { METRIC, type Metrics } from './metrics.ts';
import { rejectedReport, type SettlerDeps, settleReport, settleReportWithBook } from './order-settler.ts';
import { submitWithinDeadline } from './submit-policy.ts';
import { riskContextFor, sizingFor, strategyKey, type TradingSettings } from './trading-settings.ts';

/** What execution needs. */
export interface ExecutionDeps extends SettlerDeps {
  broker: BrokerPort;
  /** The broker account's circuit breaker: consulted before the first leg, told every outcome. */
  circuit: CircuitBreaker;
  log: Logger;
  metrics: Metrics;
  random: () => number;
  trading: TradingSettings;
}

/** The answer: HTTP status and a JSON body that always carries `status`. */
export interface Answer {
  httpStatus: ContentfulStatusCode;
  body: { status: AlertStatus; alertId: AlertId } & Record<string, unknown>;
}

/** How far execution got: once an order may have reached the broker, the dedupe claim is kept. */
export interface Progress {
  sentOrderIds: string[];
  warnings: string[];
  /** Order-record writes still under way once the book is settled; the delivery record overlaps them. */
  recordings?: Promise<void>[];
}

const RESERVE_ATTEMPTS = 8;
/**
 * How old a book this container read or wrote may be to size an alert from it. The reservation checks
 * the symbol's part again; what it cannot check (the broker's account figures, other symbols' prices
 * for the unrealized-loss check) is this much older at most.
 */
const RECENT_BOOK_MS = 5_000;
/** Why an answer is 202. */
export const PENDING_MESSAGE = 'the broker has not confirmed the order yet; reconciliation will settle it';

type LegResult =
  | { kind: 'filled'; order: OrderRecord; book: Book | undefined }
  | { kind: 'working'; order: OrderRecord }
  | { kind: 'denied'; denial: Denial }
  | { kind: 'contended' }
  | { kind: 'rejected'; orderId: string; code: string; message: string }
  | { kind: 'unavailable'; orderId: string; message: string }
  | { kind: 'pending'; orderId: string };

/** Sizes, checks, submits and settles the orders `alert` asks for. */
export async function executeAlert(
  deps: ExecutionDeps,
  alertId: AlertId,
  alert: Alert,
  receivedAt: Date,
  progress: Progress,
  firstLeg = 1,
): Promise<Answer> {
  const deadline = receivedAt.getTime() + deps.trading.deadlineMs;
  const sizing = sizingFor(deps.trading, alert.strategy);
  const size = (from: Book) => sizeOrder(alert, holdingOf(from, alert.symbol), sizing, from.broker?.equity);
  // A book this container read or wrote moments ago saves the read: the reservation then also requires
  // the symbol unchanged since. A denial, or settling in-flight orders, is decided on a fresh read.
  const recent = deps.book.recent(RECENT_BOOK_MS);
  let book = recent ?? (await deps.book.get());
  let sized = size(book);
  let fromRecent = recent !== undefined;
  if (fromRecent && (!sized.ok || needsInFlightSettled(sized, book, alert.symbol))) {
    book = await deps.book.get();
    sized = size(book);
    fromRecent = false;
  }
  if (needsInFlightSettled(sized, book, alert.symbol)) {
    book = await settleInFlight(deps, alert.symbol, book, deadline);
    sized = size(book);
  }
  if (!sized.ok) {
    progress.warnings.push(...missedAlertWarnings(alert, holdingOf(book, alert.symbol).qty));
    return denied(alertId, sized.denial);
  }
  progress.warnings.push(...sized.warnings);
  for (const warning of sized.warnings) deps.log.warn('alert warning', { alertId, warning });

  // Before anything is reserved: a refused alert leaves nothing behind, so its resend starts afresh.
  const admission = deps.circuit.admit();
  if (!admission.admitted) return circuitOpen(deps, alertId, admission);
  let intents = sized.intents;
  const done: OrderRecord[] = [];
  try {
    for (let leg = 0; leg < intents.length; leg += 1) {
      const result = await executeLeg(
        deps,
        alertId,
        alert,
        receivedAt,
        { index: leg, number: firstLeg + leg },
        intents,
        { book, fromRecent: leg === 0 && fromRecent, mode: sizing.mode },
        progress,
        admission.permit,
        (fresh) => {
          if (leg > 0) return undefined;
          const again = size(fresh);
          if (again.ok) intents = again.intents;
          return again.ok ? again.intents[0] : again.denial;
        },
      );
      if (result.kind === 'filled' || result.kind === 'working') {
        done.push(result.order);
        if (result.kind === 'working' && leg + 1 < intents.length) {
          const message = 'the opening leg waits until the closing leg fills; the next alert converges';
          return accepted(alertId, done, { status: 'not_sent', message });
        }
        // The next leg is sized and checked against the book as the filled leg's settlement left it.
        if (result.kind === 'working' || leg + 1 >= intents.length) break;
        book = result.book ?? (await deps.book.get());
        continue;
      }
      if (done.length > 0) return accepted(alertId, done, legFailure(result));
      return answerFor(alertId, result);
    }
    return accepted(alertId, done);
  } finally {
    // A probe that was denied, contended or crashed before an outcome frees its slot for the next alert.
    deps.circuit.release(admission.permit);
  }
}

/** One leg: check and reserve risk, record, submit, settle. */
async function executeLeg(
  deps: ExecutionDeps,
  alertId: AlertId,
  alert: Alert,
  receivedAt: Date,
  leg: { index: number; number: number },
  intents: readonly OrderIntent[],
  snapshot: { book: Book; fromRecent: boolean; mode: SizingMode },
  progress: Progress,
  permit: CircuitPermit,
  resize: (fresh: Book) => OrderIntent | Denial | undefined,
): Promise<LegResult> {
  let { book, fromRecent } = snapshot;
  let intent = intents[leg.index];
  let reserved: Book | undefined;
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS && intent !== undefined; attempt += 1) {
    const now = deps.now();
    const risk = checkOrder(book, intent, deps.trading.limits, riskContextFor(deps.trading, alert, now));
    if (!risk.ok && !fromRecent) return { kind: 'denied', denial: risk.denial };
    const seen = fromRecent ? symbolSeen(book, intent, snapshot.mode) : undefined;
    reserved = risk.ok ? await deps.book.reserve(risk.reservation, now, seen) : undefined;
    if (reserved !== undefined) break;
    // Refused, or denied against a book that may be old: check again against the book as it is.
    fromRecent = false;
    book = await deps.book.get();
    const next = resize(book);
    if (next !== undefined && 'code' in next) return { kind: 'denied', denial: next };
    if (next !== undefined) intent = next;
  }
  if (reserved === undefined || intent === undefined) return { kind: 'contended' };
  // Settlement plans against the book as the reservation left it.
  book = reserved;

  const order = newOrder(deps, alertId, alert, intent, leg.number);
  try {
    await deps.orders.create(order);
  } catch (error) {
    const release = rejectedReport(order, 'could not record the order', order.createdAt);
    await settleReport(deps, order, release, 'webhook').catch(() => undefined);
    throw error;
  }
  progress.sentOrderIds.push(order.clientOrderId);
  const submitStarted = performance.now();
  const outcome = await submitWithinDeadline(
    deps.broker,
    { ...intent, clientOrderId: order.clientOrderId },
    {
      deadline: receivedAt.getTime() + deps.trading.deadlineMs,
      maxAttempts: 3,
      perAttemptTimeoutMs: Math.min(1500, deps.trading.deadlineMs),
      baseBackoffMs: 100,
      now: () => deps.now().getTime(),
      random: deps.random,
    },
  );
  // An outcome without a single attempt (the deadline was used up before it) says nothing about the
  // broker: it neither counts against the circuit nor as a broker error.
  if (outcome.attempts > 0) deps.circuit.report(permit, outcome.kind);
  deps.metrics.record(METRIC.orderSubmitLatency, performance.now() - submitStarted, 'Milliseconds');
  if (outcome.kind !== 'reported' && outcome.attempts > 0) {
    deps.metrics.record(METRIC.brokerErrors, 1, 'Count', { ErrorClass: outcome.kind });
  }
  const orderId = order.clientOrderId;
  switch (outcome.kind) {
    case 'reported': {
      const settled = await settleReportWithBook(deps, order, outcome.report, 'webhook', book);
      const recording = settled.recording.catch((error: unknown) => {
        deps.log.error('order record not written; the next reconcile pass writes it', {
          alertId,
          orderId: order.clientOrderId,
          ...errorFields(error),
        });
      });
      progress.recordings = [...(progress.recordings ?? []), recording];
      if (settled.order.status === 'REJECTED') {
        const message = outcome.report.reason ?? 'the broker rejected the order';
        return { kind: 'rejected', orderId, code: 'BROKER_REJECTED', message };
      }
      return settled.order.status === 'FILLED'
        ? { kind: 'filled', order: settled.order, book: settled.book }
        : { kind: 'working', order: settled.order };
    }
    case 'rejected':
      await settleReport(
        deps,
        order,
        rejectedReport(order, outcome.message, order.createdAt),
        'webhook',
        book,
      );
      return { kind: 'rejected', orderId, code: outcome.code, message: outcome.message };
    case 'unavailable': {
      const message = `broker unavailable: ${outcome.message}`;
      await settleReport(deps, order, rejectedReport(order, message, order.createdAt), 'webhook', book);
      progress.sentOrderIds.pop();
      return { kind: 'unavailable', orderId, message };
    }
    case 'unknown':
      deps.log.warn('order outcome unknown at the deadline', { alertId, orderId, reason: outcome.message });
      return { kind: 'pending', orderId };
  }
}

function newOrder(
  deps: ExecutionDeps,
  alertId: AlertId,
  alert: Alert,
  intent: OrderIntent,
  legNumber: number,
): OrderRecord {
  const now = deps.now().toISOString();
  return {
    accountId: deps.trading.accountId,
    alertId,
    clientOrderId: clientOrderIdFor(alertId, legNumber),
    symbol: intent.symbol,
    side: intent.side,
    qty: intent.qty,
    effect: intent.effect,
    referencePrice: intent.referencePrice ?? 0,
    type: intent.type,
    timeInForce: intent.timeInForce,
    limitPrice: intent.limitPrice,
    stopPrice: intent.stopPrice,
    status: 'IN_FLIGHT',
    filledQty: 0,
    fills: [],
    strategy: strategyKey(alert.strategy),
    settled: false,
    events: [{ status: 'IN_FLIGHT', at: now, source: 'webhook' }],
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * What sizing read of the symbol's part of `book`, for the reservation to require unchanged. A reducing
 * order outside target sizing needs nothing more: its reservation already requires the held quantity.
 */
function symbolSeen(book: Book, intent: OrderIntent, mode: SizingMode): SymbolSeen | undefined {
  const entry = book.symbols[intent.symbol];
  if (mode === 'targetPosition') {
    const { committed = 0, reducing = 0, version = 0 } = entry ?? {};
    return { kind: 'exact', version, committed, reducing };
  }
  return intent.effect === 'open' ? { kind: 'side', notShort: intent.side === 'buy' } : undefined;
}

function holdingOf(book: Book, symbol: string) {
  const entry = book.symbols[symbol];
  const qty = entry?.position.qty ?? 0;
  return {
    qty,
    reducing: entry?.reducing ?? 0,
    pendingOpen: Math.max(0, (entry?.committed ?? 0) - Math.abs(qty)),
    lastPrice: entry?.position.lastPrice,
  };
}

function accepted(alertId: AlertId, orders: OrderRecord[], unfinished?: Record<string, unknown>): Answer {
  const first = orders[0];
  return {
    httpStatus: 200,
    body: {
      status: 'accepted',
      alertId,
      orderId: first?.clientOrderId,
      brokerOrderId: first?.brokerOrderId,
      orderStatus: first?.status,
      side: first?.side,
      qty: first?.qty,
      filledQty: first?.filledQty,
      avgFillPrice: first?.avgFillPrice,
      orderIds: orders.map((order) => order.clientOrderId),
      ...(orders.length > 1 ? { orders: orders.map(summary) } : {}),
      ...(unfinished ? { unfinishedLeg: unfinished } : {}),
    },
  };
}

function summary(order: OrderRecord) {
  const { clientOrderId, side, qty, effect, status, filledQty, avgFillPrice } = order;
  return { orderId: clientOrderId, side, qty, effect, status, filledQty, avgFillPrice };
}

/** Why a later leg did not go out, for the body of an answer whose first leg did. */
function legFailure(result: Exclude<LegResult, { kind: 'filled' | 'working' }>): Record<string, unknown> {
  switch (result.kind) {
    case 'denied':
      return { status: 'denied', ...result.denial };
    case 'contended':
      return { status: 'unavailable', message: 'the account changed too often to reserve risk' };
    case 'rejected':
      return { status: 'rejected', orderId: result.orderId, code: result.code, message: result.message };
    case 'unavailable':
      return { status: 'unavailable', orderId: result.orderId, message: result.message };
    case 'pending':
      return { status: 'pending', orderId: result.orderId, message: PENDING_MESSAGE };
  }
}

function answerFor(alertId: AlertId, result: Exclude<LegResult, { kind: 'filled' | 'working' }>): Answer {
  switch (result.kind) {
    case 'denied':
      return denied(alertId, result.denial);
    case 'contended':
      return {
        httpStatus: 503,
        body: {
          status: 'unavailable',
          alertId,
          message: 'the account changed too often to reserve risk; resend',
        },
      };
    case 'rejected':
      return {
        httpStatus: 422,
        body: {
          status: 'rejected',
          alertId,
          orderId: result.orderId,
          code: result.code,
          message: result.message,
        },
      };
    case 'unavailable':
      return {
        httpStatus: 503,
        body: { status: 'unavailable', alertId, orderId: result.orderId, message: result.message },
      };
    case 'pending':
      return {
        httpStatus: 202,
        body: { status: 'pending', alertId, orderId: result.orderId, message: PENDING_MESSAGE },
      };
  }
}

/** The 503 for an alert the open circuit refused; logged with the circuit's state. */
function circuitOpen(
  deps: ExecutionDeps,
  alertId: AlertId,
  refusal: Extract<Admission, { admitted: false }>,
): Answer {
  const { state, retryInMs } = refusal;
  const accountId = deps.trading.accountId;
  deps.metrics.record(METRIC.circuitRefusals, 1, 'Count', { Account: accountId });
  deps.log.warn('broker circuit refused an alert', { alertId, accountId, circuit: state, retryInMs });
  const seconds = Math.max(1, Math.ceil(retryInMs / 1000));
  const message =
    state === 'OPEN'
      ? `the broker failed repeatedly; new orders pause for ${seconds} s; resend`
      : 'a probe order is testing the broker; resend';
  return { httpStatus: 503, body: { status: 'unavailable', alertId, code: 'BROKER_CIRCUIT_OPEN', message } };
}

function denied(alertId: AlertId, denial: Denial): Answer {
  return { httpStatus: 422, body: { status: 'denied', alertId, ...denial } };
}
