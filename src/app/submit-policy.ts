/**
 * One policy for submitting an order inside the webhook's deadline. Rejections end at once.
 * Retryable failures (unavailable, rate limited) are retried with full-jitter exponential backoff
 * while time remains. After an ambiguous failure (the request may have reached the broker) the order
 * is looked up by client order id before anything is sent again, so a retry never doubles it.
 * When the deadline comes with the outcome unknown, the caller answers 202 and reconciliation settles.
 */
import { BrokerRateLimitedError, BrokerRejectedError, BrokerUnavailableError } from '../brokers/errors.ts';
import type { BrokerPort } from '../brokers/port.ts';
import type { OrderStatusReport, SubmitOrder } from '../domain/order.ts';

/** How a submission ended. */
export type SubmitOutcome =
  | { kind: 'reported'; report: OrderStatusReport; attempts: number }
  | { kind: 'rejected'; code: string; message: string; attempts: number }
  /** Nothing reached the broker: safe to let TradingView resend. */
  | { kind: 'unavailable'; message: string; attempts: number }
  /** The broker may hold the order: reconciliation must settle it. */
  | { kind: 'unknown'; message: string; attempts: number };

/** Policy settings. */
export interface SubmitPolicy {
  /** Epoch ms by which the outcome must be known. */
  deadline: number;
  maxAttempts: number;
  perAttemptTimeoutMs: number;
  baseBackoffMs: number;
  now: () => number;
  random: () => number;
}

/** Submits `order` under `policy`. */
export async function submitWithinDeadline(
  broker: BrokerPort,
  order: SubmitOrder,
  policy: SubmitPolicy,
): Promise<SubmitOutcome> {
  let ambiguous = false;
  let lastMessage = 'no attempt was made';
  let attempts = 0;
  while (remaining(policy) > 0) {
    if (ambiguous) {
      const found = await attempt(policy, (signal) => broker.getOrder(order.clientOrderId, signal));
      if (found.ok && found.value) return { kind: 'reported', report: found.value, attempts };
      if (!found.ok) {
        lastMessage = messageOf(found.error);
        if (!(await backoff(policy, attempts, found.error))) break;
        continue;
      }
    }
    if (attempts >= policy.maxAttempts) break;
    attempts += 1;
    const sent = await attempt(policy, (signal) => broker.submitOrder(order, signal));
    if (sent.ok) return { kind: 'reported', report: sent.value, attempts };
    const error = sent.error;
    if (error instanceof BrokerRejectedError) {
      return { kind: 'rejected', code: error.code, message: error.message, attempts };
    }
    lastMessage = messageOf(error);
    const retryable = error instanceof BrokerUnavailableError || error instanceof BrokerRateLimitedError;
    if (!retryable || (error instanceof BrokerUnavailableError && error.ambiguous)) ambiguous = true;
    // With attempts used up and nothing ambiguous, nothing is left to do: do not wait for nothing.
    if (attempts >= policy.maxAttempts && !ambiguous) break;
    if (!(await backoff(policy, attempts, error))) break;
  }
  if (ambiguous) return { kind: 'unknown', message: lastMessage, attempts };
  return { kind: 'unavailable', message: lastMessage, attempts };
}

type Attempted<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function attempt<T>(
  policy: SubmitPolicy,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<Attempted<T>> {
  const controller = new AbortController();
  const timeout = Math.min(policy.perAttemptTimeoutMs, remaining(policy));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new BrokerUnavailableError(`broker call timed out after ${timeout} ms`, true));
    }, timeout);
  });
  try {
    return { ok: true, value: await Promise.race([call(controller.signal), timedOut]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits before the next attempt; false when the wait would not leave time for one. */
async function backoff(policy: SubmitPolicy, attempts: number, error: unknown): Promise<boolean> {
  const exponential = policy.baseBackoffMs * 2 ** Math.max(0, attempts - 1);
  const jittered = policy.random() * exponential;
  const asked = error instanceof BrokerRateLimitedError ? (error.retryAfterMs ?? 0) : 0;
  const wait = Math.max(jittered, asked);
  if (wait + 50 >= remaining(policy)) return false;
  await new Promise((resolve) => setTimeout(resolve, wait));
  return true;
}

function remaining(policy: SubmitPolicy): number {
  return policy.deadline - policy.now();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
