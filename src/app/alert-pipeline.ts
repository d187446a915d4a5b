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
import { type Alert, findPassphrase, parseAlert } from '../domain/alert.ts';
import { readBody } from '../domain/alert-body.ts';
import type { AlertId } from '../domain/ids.ts';
import type { AlertRecord, AlertStatus, AlertStore, ClaimingDelivery } from '../store/alert-store.ts';
import type { AccountDeps, Routing } from './accounts.ts';
import { redactBody, secretsEqual } from './auth.ts';
import { errorFields } from './logger.ts';
import { METRIC, type Metrics } from './metrics.ts';
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
}

/** What the pipeline needs. */
export interface PipelineDeps extends ExecutionDeps {
  alerts: AlertStore;
  newAlertId: (now: Date) => AlertId;
  settings: PipelineSettings;
  routing: Routing;
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
  countAnswer(deps.metrics, status, undefined, 0);
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
  const finish = async (
    answer: Answer,
    extra: Partial<AlertRecord> = {},
    recordings: readonly Promise<void>[] = [],
    recordedByClaim = false,
  ): Promise<Answer> => {
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const { status, alertId: _id, ...rest } = answer.body;
    const code = typeof rest.code === 'string' ? rest.code : undefined;
    const message = typeof rest.message === 'string' ? rest.message : undefined;
    // The delivery record goes out beside the order records still being written (they never reject).
    await Promise.all([
      recordedByClaim
        ? undefined
        : recordSafely(deps, {
            ...base,
            ...extra,
            status,
            httpStatus: answer.httpStatus,
            code,
            message,
            latencyMs,
          }),
      ...recordings,
    ]);
    deps.log.info('alert answered', { alertId, status, httpStatus: answer.httpStatus, code, latencyMs });
    countAnswer(deps.metrics, status, code, latencyMs);
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
  const targets = deps.routing.route(alert.strategy);
  // Only a delivery to the default account alone is left to its claim's log to record as a duplicate.
  const defaultOnly = targets.length === 1 && targets[0]?.accountId === deps.routing.accounts[0]?.accountId;
  const claiming: ClaimingDelivery = { sourceIp: delivery.sourceIp, recordsItself: !defaultOnly, described };
  const outcomes = await Promise.all(
    targets.map((account, slot) =>
      executeForAccount(deps, account, {
        alertId,
        alert,
        receivedAt: delivery.receivedAt,
        dedupeKey,
        slot,
        claiming,
      }),
    ),
  );
  const recordings = outcomes.flatMap((outcome) => outcome.progress.recordings ?? []);
  const [only] = outcomes;
  if (only !== undefined && defaultOnly) {
    return finish(
      only.answer,
      { ...described, ...recorded(only.progress), dedupeKey, duplicateOf: only.duplicateOf },
      recordings,
      only.answer.body.status === 'duplicate',
    );
  }
  const combined = combine(alertId, outcomes);
  return finish(
    combined,
    {
      ...described,
      ...recorded(mergedProgress(outcomes)),
      dedupeKey,
      accounts: outcomes.map(({ accountId, answer, progress }) => ({
        accountId,
        status: answer.body.status,
        httpStatus: answer.httpStatus,
        code: typeof answer.body.code === 'string' ? answer.body.code : undefined,
        message: typeof answer.body.message === 'string' ? answer.body.message : undefined,
        orderIds: progress.sentOrderIds.length > 0 ? progress.sentOrderIds : undefined,
      })),
    },
    recordings,
  );
}

/** One alert for one account. */
interface AccountRun {
  alertId: AlertId;
  alert: Alert;
  receivedAt: Date;
  dedupeKey: string;
  /** The account's place in the route: its orders' client order ids are numbered from it. */
  slot: number;
  claiming: ClaimingDelivery;
}

/** What one account made of the alert. */
interface AccountResult {
  accountId: string;
  answer: Answer;
  progress: Progress;
  duplicateOf?: string | undefined;
}

/**
 * Claims the alert for the account, executes it there and gives the claim back when nothing reached
 * the broker and TradingView should resend. Each account has its own claim, so a resend after one
 * account was unavailable is a duplicate for the others and a new alert for that one.
 */
async function executeForAccount(
  deps: PipelineDeps,
  account: AccountDeps,
  run: AccountRun,
): Promise<AccountResult> {
  const { alertId, receivedAt } = run;
  const accountId = account.accountId;
  const claimKey =
    accountId === deps.routing.accounts[0]?.accountId ? run.dedupeKey : `${run.dedupeKey}:${accountId}`;
  const progress: Progress = { sentOrderIds: [], warnings: [] };
  const result = (answer: Answer, duplicateOf?: string): AccountResult => ({
    accountId,
    answer,
    progress,
    duplicateOf,
  });
  let claimed = false;
  try {
    const claim = await deps.alerts.claim(claimKey, alertId, receivedAt, run.claiming);
    if (!claim.claimed) {
      const duplicateOf = claim.duplicateOf;
      return result(
        { httpStatus: 200, body: { status: 'duplicate', alertId, ...(duplicateOf ? { duplicateOf } : {}) } },
        duplicateOf,
      );
    }
    claimed = true;
    const answer = await executeAlert(
      { ...deps, ...account },
      alertId,
      run.alert,
      receivedAt,
      progress,
      run.slot * LEGS_PER_ACCOUNT + 1,
    );
    if (answer.httpStatus === 503) await deps.alerts.release(claimKey, alertId, deps.now());
    return result(answer);
  } catch (error) {
    const orderId = progress.sentOrderIds[0];
    deps.log.error('alert processing failed', { alertId, accountId, orderId, ...errorFields(error) });
    if (orderId !== undefined) {
      // The broker may hold the order: a resend must stay a duplicate, reconciliation settles it.
      return result({
        httpStatus: 202,
        body: { status: 'pending', alertId, orderId, message: PENDING_MESSAGE },
      });
    }
    if (claimed) await deps.alerts.release(claimKey, alertId, deps.now()).catch(() => undefined);
    return result({
      httpStatus: 503,
      body: { status: 'unavailable', alertId, message: 'temporarily unable to process; resend' },
    });
  }
}

/** An alert makes at most two orders per account (a reversal's close and open). */
const LEGS_PER_ACCOUNT = 2;

/**
 * Which account outcome decides the answer of an alert that fanned out, strongest first: an account
 * that needs a resend makes the whole answer 503 (the others answer the resend as a duplicate).
 */
const PRECEDENCE: readonly AlertStatus[] = [
  'unavailable',
  'pending',
  'accepted',
  'rejected',
  'denied',
  'duplicate',
];

/** The answer of an alert that went to several accounts (or to one other than the default). */
function combine(alertId: AlertId, outcomes: readonly AccountResult[]): Answer {
  const rank = (result: AccountResult) => {
    const index = PRECEDENCE.indexOf(result.answer.body.status);
    return index === -1 ? PRECEDENCE.length : index;
  };
  const [first] = [...outcomes].sort((a, b) => rank(a) - rank(b));
  const status = first?.answer.body.status ?? 'error';
  return {
    httpStatus: first?.answer.httpStatus ?? 500,
    body: {
      status,
      alertId,
      accounts: outcomes.map(({ accountId, answer }) => {
        const { alertId: _id, ...body } = answer.body;
        return { accountId, httpStatus: answer.httpStatus, ...body };
      }),
    },
  };
}

function mergedProgress(outcomes: readonly AccountResult[]): Progress {
  return {
    sentOrderIds: outcomes.flatMap((outcome) => outcome.progress.sentOrderIds),
    warnings: [...new Set(outcomes.flatMap((outcome) => outcome.progress.warnings))],
  };
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

function countAnswer(
  metrics: Metrics,
  status: AlertStatus,
  code: string | undefined,
  latencyMs: number,
): void {
  metrics.record(METRIC.alertsReceived, 1, 'Count');
  metrics.record(METRIC.alerts, 1, 'Count', { Status: status });
  if (status === 'denied' && code !== undefined)
    metrics.record(METRIC.alertsDenied, 1, 'Count', { Code: code });
  metrics.record(METRIC.alertLatency, latencyMs, 'Milliseconds');
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
