/**
 * One webhook delivery, from raw body to decision: read, authenticate, validate, de-duplicate, size,
 * check and reserve risk, record the order, submit within the deadline, settle, answer. Every
 * delivery is recorded with its decision, whatever happens; secrets are never stored or logged.
 *
 * Answers: 200 accepted | 202 pending | 200 duplicate | 400 invalid | 401 unauthorized |
 * 422 denied | 422 rejected | 503 unavailable (nothing reached the broker; TradingView resends).
 */
import { createHash } from 'node:crypto';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { BrokerPort } from '../brokers/port.ts';
import { type Alert, findPassphrase, parseAlert } from '../domain/alert.ts';
import { readBody } from '../domain/alert-body.ts';
import { tradingDay } from '../domain/book.ts';
import type { Denial } from '../domain/denial.ts';
import { type AlertId, clientOrderIdFor } from '../domain/ids.ts';
import type { OrderStatusReport } from '../domain/order.ts';
import { checkOrder, type RiskLimits } from '../domain/risk.ts';
import { type OrderIntent, type SizingSettings, sizeOrder } from '../domain/sizing.ts';
import type { AlertRecord, AlertStatus, AlertStore } from '../store/alert-store.ts';
import type { OrderRecord } from '../store/order-store.ts';
import { redactBody, secretsEqual } from './auth.ts';
import { errorFields, type Logger } from './logger.ts';
import { type SettlerDeps, settleReport } from './order-settler.ts';
import { submitWithinDeadline } from './submit-policy.ts';

/** Pipeline settings. */
export interface PipelineSettings {
  accountId: string;
  passphrase: string;
  dedupeWindowSeconds: number;
  deadlineMs: number;
  sizing: SizingSettings;
  limits: RiskLimits;
}

/** What the pipeline needs. */
export interface PipelineDeps extends SettlerDeps {
  alerts: AlertStore;
  broker: BrokerPort;
  log: Logger;
  newAlertId: (now: Date) => AlertId;
  random: () => number;
  settings: PipelineSettings;
}

/** One delivery as it arrived. */
export interface Delivery {
  rawBody: string;
  sourceIp?: string | undefined;
  receivedAt: Date;
}

/** The answer: HTTP status and a JSON body that always carries `status`. */
export interface Answer {
  httpStatus: ContentfulStatusCode;
  body: { status: AlertStatus; alertId: AlertId } & Record<string, unknown>;
}

const RESERVE_ATTEMPTS = 8;
const PENDING_MESSAGE = 'the broker has not confirmed the order yet; reconciliation will settle it';

/** How far a delivery got: once an order may have reached the broker, its claim is never given back. */
interface Progress {
  sentOrderId?: string;
}

/** Answers a delivery refused before its body was read (403 source, 413 size), and records it. */
export async function refuseDelivery(
  deps: PipelineDeps,
  delivery: Delivery,
  status: 'forbidden' | 'too_large',
  message: string,
): Promise<Answer> {
  const alertId = deps.newAlertId(delivery.receivedAt);
  const httpStatus: ContentfulStatusCode = status === 'forbidden' ? 403 : 413;
  await recordSafely(deps, {
    alertId,
    receivedAt: delivery.receivedAt.toISOString(),
    status,
    httpStatus,
    message,
    sourceIp: delivery.sourceIp,
  });
  return { httpStatus, body: { status, alertId, message } };
}

/** Processes one delivery end to end. Never throws: failures become 503 answers, recorded. */
export async function processDelivery(deps: PipelineDeps, delivery: Delivery): Promise<Answer> {
  const started = performance.now();
  const alertId = deps.newAlertId(delivery.receivedAt);
  const base: AlertRecord = {
    alertId,
    receivedAt: delivery.receivedAt.toISOString(),
    status: 'error',
    httpStatus: 500,
    sourceIp: delivery.sourceIp,
  };
  const finish = async (answer: Answer, extra: Partial<AlertRecord> = {}): Promise<Answer> => {
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const { status, alertId: _id, ...rest } = answer.body;
    const code = typeof rest.code === 'string' ? rest.code : undefined;
    const message = typeof rest.message === 'string' ? rest.message : undefined;
    await recordSafely(deps, {
      ...base,
      ...extra,
      status,
      httpStatus: answer.httpStatus,
      code,
      message,
      latencyMs,
    });
    deps.log.info('alert answered', { alertId, status, httpStatus: answer.httpStatus, code, latencyMs });
    return answer;
  };

  const body = redactBody(delivery.rawBody, [deps.settings.passphrase]);
  const read = readBody(delivery.rawBody);
  if (!read.ok) {
    const authorized =
      read.passphraseHint !== undefined && secretsEqual(read.passphraseHint, deps.settings.passphrase);
    if (!authorized) return finish(unauthorized(alertId), { body });
    return finish(
      {
        httpStatus: 400,
        body: { status: 'invalid', alertId, errors: [{ field: 'body', message: read.error }] },
      },
      { body, errors: [{ field: 'body', message: read.error }] },
    );
  }
  if (!secretsEqual(findPassphrase(read.fields), deps.settings.passphrase)) {
    return finish(unauthorized(alertId), { body });
  }
  const parsed = parseAlert(read.fields);
  if (!parsed.ok) {
    return finish(
      { httpStatus: 400, body: { status: 'invalid', alertId, errors: parsed.errors } },
      { body, errors: parsed.errors },
    );
  }
  const alert = parsed.alert;
  const described: Partial<AlertRecord> = {
    body,
    symbol: alert.symbol,
    action: alert.action,
    quantity: alert.quantity,
    strategy: alert.strategy,
  };

  const dedupeKey = createHash('sha256').update(delivery.rawBody.trim()).digest('hex').slice(0, 40);
  let claimed = false;
  const progress: Progress = {};
  try {
    const claim = await deps.alerts.claim(
      dedupeKey,
      alertId,
      deps.settings.dedupeWindowSeconds,
      delivery.receivedAt,
    );
    if (!claim.claimed) {
      return finish(
        {
          httpStatus: 200,
          body: {
            status: 'duplicate',
            alertId,
            ...(claim.duplicateOf ? { duplicateOf: claim.duplicateOf } : {}),
          },
        },
        { ...described, dedupeKey, duplicateOf: claim.duplicateOf },
      );
    }
    claimed = true;
    const answer = await execute(deps, alertId, alert, delivery.receivedAt, progress);
    if (answer.httpStatus === 503) await deps.alerts.release(dedupeKey, alertId);
    return finish(answer, { ...described, dedupeKey, orderIds: orderIdsOf(answer) });
  } catch (error) {
    deps.log.error('alert processing failed', {
      alertId,
      orderId: progress.sentOrderId,
      ...errorFields(error),
    });
    if (progress.sentOrderId !== undefined) {
      // The broker may hold the order: a resend must stay a duplicate, reconciliation settles it.
      return finish(
        {
          httpStatus: 202,
          body: { status: 'pending', alertId, orderId: progress.sentOrderId, message: PENDING_MESSAGE },
        },
        { ...described, dedupeKey, orderIds: [progress.sentOrderId] },
      );
    }
    if (claimed) await deps.alerts.release(dedupeKey, alertId).catch(() => undefined);
    return finish(
      {
        httpStatus: 503,
        body: { status: 'unavailable', alertId, message: 'temporarily unable to process; resend' },
      },
      { ...described, dedupeKey },
    );
  }
}

/** Sizing, risk, reservation, order record, submission and settlement for an authenticated, new alert. */
async function execute(
  deps: PipelineDeps,
  alertId: AlertId,
  alert: Alert,
  receivedAt: Date,
  progress: Progress,
): Promise<Answer> {
  const { settings } = deps;
  let book = await deps.book.get();
  let intent: OrderIntent | undefined;
  let reserved = false;
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS && !reserved; attempt += 1) {
    const symbolBook = book.symbols[alert.symbol];
    const sized = sizeOrder(
      alert,
      {
        qty: symbolBook?.position.qty ?? 0,
        reducing: symbolBook?.reducing ?? 0,
        lastPrice: symbolBook?.position.lastPrice,
      },
      settings.sizing,
    );
    if (!sized.ok) return denied(alertId, sized.denial);
    intent = sized.intent;
    const now = deps.now();
    const risk = checkOrder(book, intent, settings.limits, tradingDay(now, deps.timeZone));
    if (!risk.ok) return denied(alertId, risk.denial);
    reserved = await deps.book.reserve(risk.reservation, now);
    if (!reserved) book = await deps.book.get();
  }
  if (!reserved || intent === undefined) {
    const message = 'the account changed too often to reserve risk; resend';
    return { httpStatus: 503, body: { status: 'unavailable', alertId, message } };
  }

  const now = deps.now().toISOString();
  const order: OrderRecord = {
    accountId: settings.accountId,
    alertId,
    clientOrderId: clientOrderIdFor(alertId, 1),
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
    strategy: alert.strategy,
    settled: false,
    events: [{ status: 'IN_FLIGHT', at: now, source: 'webhook' }],
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.orders.create(order);
  } catch (error) {
    await settleReport(deps, order, closedReport(order, 'could not record the order', now), 'webhook').catch(
      () => undefined,
    );
    throw error;
  }

  progress.sentOrderId = order.clientOrderId;
  const outcome = await submitWithinDeadline(
    deps.broker,
    { ...intent, clientOrderId: order.clientOrderId },
    {
      deadline: receivedAt.getTime() + settings.deadlineMs,
      maxAttempts: 3,
      perAttemptTimeoutMs: Math.min(1500, settings.deadlineMs),
      baseBackoffMs: 100,
      now: () => deps.now().getTime(),
      random: deps.random,
    },
  );
  const orderId = order.clientOrderId;
  switch (outcome.kind) {
    case 'reported': {
      const settled = await settleReport(deps, order, outcome.report, 'webhook', book);
      if (outcome.report.status === 'REJECTED') {
        return rejected(
          alertId,
          orderId,
          'BROKER_REJECTED',
          outcome.report.reason ?? 'the broker rejected the order',
        );
      }
      return {
        httpStatus: 200,
        body: {
          status: 'accepted',
          alertId,
          orderId,
          brokerOrderId: settled.brokerOrderId,
          orderStatus: settled.status,
          side: settled.side,
          qty: settled.qty,
          filledQty: settled.filledQty,
          avgFillPrice: settled.avgFillPrice,
        },
      };
    }
    case 'rejected':
      await settleReport(deps, order, closedReport(order, outcome.message, now), 'webhook', book);
      return rejected(alertId, orderId, outcome.code, outcome.message);
    case 'unavailable':
      await settleReport(
        deps,
        order,
        closedReport(order, `broker unavailable: ${outcome.message}`, now),
        'webhook',
        book,
      );
      return {
        httpStatus: 503,
        body: { status: 'unavailable', alertId, orderId, message: `broker unavailable: ${outcome.message}` },
      };
    case 'unknown':
      deps.log.warn('order outcome unknown at the deadline', { alertId, orderId, reason: outcome.message });
      return {
        httpStatus: 202,
        body: { status: 'pending', alertId, orderId, message: PENDING_MESSAGE },
      };
  }
}

/** A report that ends an order nothing was filled on (used when the broker refused or was never reached). */
function closedReport(order: OrderRecord, reason: string, at: string): OrderStatusReport {
  return {
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    status: 'REJECTED',
    filledQty: 0,
    fills: [],
    reason,
    updatedAt: at,
  };
}

function denied(alertId: AlertId, denial: Denial): Answer {
  return { httpStatus: 422, body: { status: 'denied', alertId, ...denial } };
}

function rejected(alertId: AlertId, orderId: string, code: string, message: string): Answer {
  return { httpStatus: 422, body: { status: 'rejected', alertId, orderId, code, message } };
}

function unauthorized(alertId: AlertId): Answer {
  return {
    httpStatus: 401,
    body: { status: 'unauthorized', alertId, message: 'passphrase missing or wrong' },
  };
}

function orderIdsOf(answer: Answer): string[] | undefined {
  return typeof answer.body.orderId === 'string' ? [answer.body.orderId] : undefined;
}

async function recordSafely(deps: PipelineDeps, record: AlertRecord): Promise<void> {
  try {
    await deps.alerts.record(record);
  } catch (error) {
    deps.log.error('could not record alert', {
      alertId: record.alertId,
      status: record.status,
      ...errorFields(error),
    });
  }
}
