/**
 * Alpaca failures as broker errors, pure. A call is a "write" when it may change something at
 * Alpaca (POST, DELETE): when a write fails after it may have been sent (a 5xx, a reset, a timeout)
 * the failure is ambiguous, because the order may exist. A read never is, and neither is a failure
 * to connect, which happens before anything is sent.
 *
 * | answer            | error                                                                   |
 * |-------------------|-------------------------------------------------------------------------|
 * | 401               | BrokerRejectedError UNAUTHORIZED (the keys are wrong: retrying is futile) |
 * | 403               | BrokerRejectedError INSUFFICIENT_BUYING_POWER, INSUFFICIENT_QTY,         |
 * |                   | TRADING_BLOCKED or FORBIDDEN, from Alpaca's message                      |
 * | 404               | BrokerRejectedError NOT_FOUND (lookups answer undefined instead)         |
 * | 422               | BrokerRejectedError DUPLICATE_CLIENT_ORDER_ID, NOT_CANCELABLE (DELETE),  |
 * |                   | INVALID_ORDER (POST /v2/orders) or INVALID_REQUEST, with Alpaca's message |
 * | 429               | BrokerRateLimitedError, retryAfterMs from Retry-After or X-RateLimit-Reset |
 * | 400, other 4xx    | BrokerRejectedError BAD_REQUEST / REQUEST_REFUSED                        |
 * | 408, 5xx, other   | BrokerUnavailableError, ambiguous for a write                            |
 */
import {
  type BrokerError,
  BrokerRateLimitedError,
  BrokerRejectedError,
  BrokerUnavailableError,
} from '../errors.ts';
import { AlpacaErrorBody } from './alpaca-schemas.ts';

/** The HTTP methods the adapter uses. */
export type AlpacaMethod = 'GET' | 'POST' | 'DELETE';

/** One failed HTTP answer. */
export interface FailedAnswer {
  method: AlpacaMethod;
  path: string;
  status: number;
  /** The raw body text. */
  body: string;
  headers: Headers;
  now: Date;
}

/** Alpaca's message in an error body, or the body itself (shortened) when it is not Alpaca's JSON. */
export function alpacaMessage(body: string): string {
  try {
    const parsed = AlpacaErrorBody.safeParse(JSON.parse(body));
    if (parsed.success) return parsed.data.message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const text = body.trim().slice(0, 200);
  return text === '' ? 'no message' : text;
}

/** The broker error for a non-2xx answer. */
export function errorForAnswer(answer: FailedAnswer): BrokerError {
  const { method, path, status } = answer;
  const message = alpacaMessage(answer.body);
  if (status === 401) return new BrokerRejectedError('UNAUTHORIZED', message);
  if (status === 403) return new BrokerRejectedError(forbiddenCode(message), message);
  if (status === 404) return new BrokerRejectedError('NOT_FOUND', message);
  if (status === 422) return new BrokerRejectedError(unprocessableCode(method, path, message), message);
  if (status === 429) {
    return new BrokerRateLimitedError(
      `alpaca rate limit on ${method} ${path}: ${message}`,
      retryAfterMs(answer.headers, answer.now),
    );
  }
  if (status === 400) return new BrokerRejectedError('BAD_REQUEST', message);
  if (status >= 400 && status < 500 && status !== 408)
    return new BrokerRejectedError('REQUEST_REFUSED', message);
  return new BrokerUnavailableError(
    `alpaca answered ${status} to ${method} ${path}: ${message}`,
    isWrite(method),
  );
}

/** The stable code of a 403, from Alpaca's message. */
export function forbiddenCode(message: string): string {
  const text = message.toLowerCase();
  if (text.includes('buying power')) return 'INSUFFICIENT_BUYING_POWER';
  if (/insufficient (qty|quantity|shares)/.test(text)) return 'INSUFFICIENT_QTY';
  if (/blocked|restricted|suspended|not (allowed|authorized|permitted) to trade/.test(text))
    return 'TRADING_BLOCKED';
  return 'FORBIDDEN';
}

function unprocessableCode(method: AlpacaMethod, path: string, message: string): string {
  if (/client_order_id must be unique/i.test(message)) return 'DUPLICATE_CLIENT_ORDER_ID';
  if (method === 'DELETE') return 'NOT_CANCELABLE';
  if (method === 'POST' && path === '/v2/orders') return 'INVALID_ORDER';
  return 'INVALID_REQUEST';
}

/**
 * How long Alpaca asks us to wait: Retry-After (seconds or an HTTP date) when sent, else until
 * X-RateLimit-Reset (a unix epoch in seconds). Undefined when neither says.
 */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now.getTime());
  return undefined;
}

/** Network failure codes meaning the connection was never made: nothing was sent. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** How a call ended without an answer. */
export type NoAnswer =
  | { kind: 'timeout'; ms: number }
  | { kind: 'aborted' }
  | { kind: 'network'; error: unknown };

/** The broker error for a call that got no answer. */
export function errorForNoAnswer(
  method: AlpacaMethod,
  path: string,
  failure: NoAnswer,
): BrokerUnavailableError {
  const call = `${method} ${path}`;
  if (failure.kind === 'timeout') {
    return new BrokerUnavailableError(
      `alpaca did not answer ${call} within ${failure.ms} ms`,
      isWrite(method),
    );
  }
  if (failure.kind === 'aborted') {
    return new BrokerUnavailableError(`alpaca call ${call} was aborted`, isWrite(method));
  }
  const code = networkCode(failure.error);
  const sent = code === undefined || !NOT_SENT.has(code);
  return new BrokerUnavailableError(
    `alpaca unreachable on ${call}: ${code ?? describe(failure.error)}`,
    sent && isWrite(method),
    { cause: failure.error },
  );
}

/** True for calls that may change state at Alpaca. */
export function isWrite(method: AlpacaMethod): boolean {
  return method !== 'GET';
}

/** The first `code` string along an error's cause chain (undici puts it on the cause). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
