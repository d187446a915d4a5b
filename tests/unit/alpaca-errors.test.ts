import { describe, expect, it } from 'vitest';
import {
  errorForAnswer,
  errorForNoAnswer,
  forbiddenCode,
  retryAfterMs,
} from '../../src/brokers/alpaca/alpaca-errors.ts';
import {
  BrokerRateLimitedError,
  BrokerRejectedError,
  BrokerUnavailableError,
} from '../../src/brokers/errors.ts';

const NOW = new Date('2026-11-23T15:00:00.000Z');

function answered(status: number, body: string, method: 'GET' | 'POST' | 'DELETE' = 'POST', headers = {}) {
  return errorForAnswer({
    method,
    path: '/v2/orders',
    status,
    body,
    headers: new Headers(headers),
    now: NOW,
  });
}

describe('errorForAnswer', () => {
  it('turns a 403 into a rejection with a stable code from Alpaca message', () => {
    const error = answered(403, JSON.stringify({ code: 40310000, message: 'insufficient buying power' }));

    expect(error).toBeInstanceOf(BrokerRejectedError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_BUYING_POWER', message: 'insufficient buying power' });
  });

  it('keeps Alpaca message on a 422 and names a reused client order id', () => {
    const invalid = answered(422, JSON.stringify({ code: 42210000, message: 'qty must be > 0' }));
    const duplicate = answered(
      422,
      JSON.stringify({ code: 42210000, message: 'client_order_id must be unique' }),
    );
    const cancel = answered(
      422,
      JSON.stringify({ code: 42210000, message: 'order is already in "filled" state' }),
      'DELETE',
    );

    expect(invalid).toMatchObject({ code: 'INVALID_ORDER', message: 'qty must be > 0' });
    expect(duplicate).toMatchObject({ code: 'DUPLICATE_CLIENT_ORDER_ID' });
    expect(cancel).toMatchObject({ code: 'NOT_CANCELABLE' });
  });

  it('turns a 5xx into an outage that is ambiguous only for a write', () => {
    const post = answered(503, 'upstream down');
    const get = answered(500, '', 'GET');

    expect(post).toBeInstanceOf(BrokerUnavailableError);
    expect(post).toMatchObject({ ambiguous: true });
    expect(get).toMatchObject({ ambiguous: false });
  });

  it('turns a 429 into a rate limit with the wait Alpaca asks for', () => {
    const reset = String(NOW.getTime() / 1000 + 5);

    const error = answered(429, '{"message":"rate limit exceeded"}', 'GET', { 'X-RateLimit-Reset': reset });

    expect(error).toBeInstanceOf(BrokerRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 5000 });
  });

  it('refuses with UNAUTHORIZED on a 401', () => {
    expect(answered(401, '{"code":40110000,"message":"request is not authorized"}', 'GET')).toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});

describe('forbiddenCode', () => {
  it.each([
    ['insufficient buying power', 'INSUFFICIENT_BUYING_POWER'],
    ['insufficient qty available for order (requested: 10, available: 0)', 'INSUFFICIENT_QTY'],
    ['trading is blocked for this account', 'TRADING_BLOCKED'],
    ['account is not allowed to trade', 'TRADING_BLOCKED'],
    ['forbidden.', 'FORBIDDEN'],
  ])('reads "%s" as %s', (message, code) => {
    expect(forbiddenCode(message)).toBe(code);
  });
});

describe('retryAfterMs', () => {
  it('prefers Retry-After seconds over the reset epoch', () => {
    const headers = new Headers({
      'Retry-After': '2',
      'X-RateLimit-Reset': String(NOW.getTime() / 1000 + 60),
    });

    expect(retryAfterMs(headers, NOW)).toBe(2000);
  });

  it('reads an HTTP-date Retry-After', () => {
    const headers = new Headers({ 'Retry-After': new Date(NOW.getTime() + 3000).toUTCString() });

    expect(retryAfterMs(headers, NOW)).toBe(3000);
  });

  it('never asks for a negative wait, and says nothing without headers', () => {
    expect(retryAfterMs(new Headers({ 'X-RateLimit-Reset': '1' }), NOW)).toBe(0);
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
  });
});

describe('errorForNoAnswer', () => {
  it('calls a refused connection unambiguous: nothing was sent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

    const error = errorForNoAnswer('POST', '/v2/orders', {
      kind: 'network',
      error: new TypeError('fetch failed', { cause: refused }),
    });

    expect(error.ambiguous).toBe(false);
  });

  it('calls a reset or a timeout of a write ambiguous, and of a read not', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const failure = { kind: 'network' as const, error: new TypeError('fetch failed', { cause: reset }) };

    expect(errorForNoAnswer('POST', '/v2/orders', failure).ambiguous).toBe(true);
    expect(errorForNoAnswer('GET', '/v2/orders', failure).ambiguous).toBe(false);
    expect(errorForNoAnswer('POST', '/v2/orders', { kind: 'timeout', ms: 100 }).ambiguous).toBe(true);
  });
});
