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
import { findPassphrase, parseAlert } from '../domain/alert.ts';
import { readBody } from '../domain/alert-body.ts';
import type { AlertId } from '../domain/ids.ts';
import type { AlertRecord, AlertStore } from '../store/alert-store.ts';
import { redactBody, secretsEqual } from './auth.ts';
import { errorFields } from './logger.ts';
import {
  type Answer,
  type ExecutionDeps,
  executeAlert,
  PENDING_MESSAGE,
  type Progress,
} from './order-execution.ts';

/** Settings of the delivery edge. */
export interface PipelineSettings {
  passphrase: string;
  dedupeWindowSeconds: number;
}

/** What the pipeline needs. */
export interface PipelineDeps extends ExecutionDeps {
  alerts: AlertStore;
  newAlertId: (now: Date) => AlertId;
  settings: PipelineSettings;
}

/** One delivery as it arrived. */
export interface Delivery {
  rawBody: string;
  sourceIp?: string | undefined;
  receivedAt: Date;
}

export type { Answer };

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
  const progress: Progress = { sentOrderIds: [], warnings: [] };
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
    const answer = await executeAlert(deps, alertId, alert, delivery.receivedAt, progress);
    if (answer.httpStatus === 503) await deps.alerts.release(dedupeKey, alertId);
    return finish(answer, { ...described, ...recorded(progress), dedupeKey });
  } catch (error) {
    const orderId = progress.sentOrderIds[0];
    deps.log.error('alert processing failed', { alertId, orderId, ...errorFields(error) });
    if (orderId !== undefined) {
      // The broker may hold the order: a resend must stay a duplicate, reconciliation settles it.
      return finish(
        { httpStatus: 202, body: { status: 'pending', alertId, orderId, message: PENDING_MESSAGE } },
        { ...described, ...recorded(progress), dedupeKey },
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

function unauthorized(alertId: AlertId): Answer {
  return {
    httpStatus: 401,
    body: { status: 'unauthorized', alertId, message: 'passphrase missing or wrong' },
  };
}

/** What execution adds to the delivery record. */
function recorded(progress: Progress): Partial<AlertRecord> {
  return {
    orderIds: progress.sentOrderIds.length > 0 ? progress.sentOrderIds : undefined,
    warnings: progress.warnings.length > 0 ? progress.warnings : undefined,
  };
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
