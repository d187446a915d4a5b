/**
 * Contract tests of the Alpaca adapter's failures against the Alpaca fake: each Alpaca refusal
 * and each network fault becomes the broker error the submit policy needs, and a failure is
 * ambiguous exactly when the order may exist. The fake's clock is fixed, so rate-limit waits are
 * exact.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../src/brokers/alpaca/alpaca-broker.ts';
import {
  BrokerRateLimitedError,
  BrokerRejectedError,
  BrokerUnavailableError,
} from '../../src/brokers/errors.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { type AlpacaFake, startAlpacaFake } from '../support/alpaca-fake/index.ts';
import { freePort } from '../support/free-port.ts';

const NOW = new Date('2026-11-23T15:00:00.000Z');
/** The timeout of the broker that meets a hanging answer; the others wait long enough never to time out. */
const TIMEOUT_MS = 1000;

let fake: AlpacaFake;
let broker: AlpacaBroker;

beforeEach(async () => {
  fake = await startAlpacaFake({ prices: { AAPL: 190 }, cash: 10_000, now: () => NOW });
  broker = brokerAt(fake.url);
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

function brokerAt(baseUrl: string, options: { secretKey?: string; timeoutMs?: number } = {}): AlpacaBroker {
  return new AlpacaBroker(
    {
      baseUrl,
      keyId: fake.keyId,
      secretKey: options.secretKey ?? fake.secretKey,
      requestTimeoutMs: options.timeoutMs ?? 10_000,
    },
    { now: () => NOW },
  );
}

function anOrder(overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  return {
    clientOrderId: asClientOrderId('pb-fault-1'),
    symbol: 'AAPL',
    side: 'buy',
    qty: 1,
    type: 'market',
    timeInForce: 'day',
    ...overrides,
  };
}

async function failure(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('refusals', () => {
  it('refuses a buy beyond buying power with INSUFFICIENT_BUYING_POWER', async () => {
    const error = await failure(broker.submitOrder(anOrder({ qty: 100 })));

    expect(error).toBeInstanceOf(BrokerRejectedError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_BUYING_POWER', message: 'insufficient buying power' });
    expect(fake.orders).toEqual([]);
  });

  it('refuses an order on a blocked account with TRADING_BLOCKED', async () => {
    fake.setTradingBlocked(true);

    const error = await failure(broker.submitOrder(anOrder()));

    expect(error).toMatchObject({ name: 'BrokerRejectedError', code: 'TRADING_BLOCKED' });
  });

  it('carries Alpaca message on a 422', async () => {
    const error = await failure(broker.submitOrder(anOrder({ qty: 1.5, type: 'limit', limitPrice: 180 })));

    expect(error).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'INVALID_ORDER',
      message: 'fractional orders must be market orders with time_in_force day',
    });
  });

  it('refuses with UNAUTHORIZED when the keys are wrong', async () => {
    const stranger = brokerAt(fake.url, { secretKey: 'wrong' });

    const error = await failure(stranger.getAccount());

    expect(error).toMatchObject({ name: 'BrokerRejectedError', code: 'UNAUTHORIZED' });
  });
});

describe('rate limits', () => {
  it('waits until X-RateLimit-Reset', async () => {
    fake.inject({ kind: 'rate_limit', resetInSeconds: 5 }, { method: 'POST' });

    const error = await failure(broker.submitOrder(anOrder()));

    expect(error).toBeInstanceOf(BrokerRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 5000 });
    expect(fake.orders).toEqual([]);
  });

  it('prefers Retry-After when Alpaca sends it', async () => {
    fake.inject({ kind: 'rate_limit', resetInSeconds: 60, retryAfterSeconds: 2 });

    expect(await failure(broker.getPositions())).toMatchObject({ retryAfterMs: 2000 });
  });
});

describe('outages', () => {
  it('calls a 5xx on a read unambiguous', async () => {
    fake.inject({ kind: 'status', status: 503 }, { path: '/v2/orders:by_client_order_id' });

    const error = await failure(broker.getOrder(asClientOrderId('pb-any')));

    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error).toMatchObject({ ambiguous: false });
  });

  it('calls a 5xx on a submission ambiguous: Alpaca may have made the order', async () => {
    fake.inject({ kind: 'status', status: 500 }, { method: 'POST', path: '/v2/orders' });

    expect(await failure(broker.submitOrder(anOrder()))).toMatchObject({
      name: 'BrokerUnavailableError',
      ambiguous: true,
    });
  });

  it('calls a reset before the order is made ambiguous, and the lookup finds nothing', async () => {
    fake.inject({ kind: 'reset_before' }, { method: 'POST' });

    const error = await failure(broker.submitOrder(anOrder()));

    expect(error).toMatchObject({ name: 'BrokerUnavailableError', ambiguous: true });
    expect(await broker.getOrder(anOrder().clientOrderId)).toBeUndefined();
  });

  it('calls a reset after the order is made ambiguous, and the resubmission returns that order', async () => {
    fake.inject({ kind: 'reset_after' }, { method: 'POST' });

    const error = await failure(broker.submitOrder(anOrder()));
    const again = await broker.submitOrder(anOrder());

    expect(error).toMatchObject({ name: 'BrokerUnavailableError', ambiguous: true });
    expect(again).toMatchObject({ clientOrderId: 'pb-fault-1', status: 'FILLED' });
    expect(fake.orders).toHaveLength(1);
  });

  it('times out an accepted order whose answer hangs, ambiguously', async () => {
    fake.inject({ kind: 'hang_after' }, { method: 'POST' });
    const impatient = brokerAt(fake.url, { timeoutMs: TIMEOUT_MS });

    const error = await failure(impatient.submitOrder(anOrder()));

    expect(error).toMatchObject({ name: 'BrokerUnavailableError', ambiguous: true });
    expect(error).toHaveProperty('message', expect.stringContaining(`${TIMEOUT_MS} ms`));
    expect((await broker.getOrder(anOrder().clientOrderId))?.status).toBe('FILLED');
  });

  it('calls a submission the caller aborted ambiguous', async () => {
    fake.inject({ kind: 'hang_after' }, { method: 'POST' });
    const controller = new AbortController();

    const attempt = failure(broker.submitOrder(anOrder(), controller.signal));
    controller.abort();

    expect(await attempt).toMatchObject({ name: 'BrokerUnavailableError', ambiguous: true });
  });

  it('calls a refused connection unambiguous: nothing was sent', async () => {
    const nobody = brokerAt(`http://127.0.0.1:${await freePort()}`);

    const error = await failure(nobody.submitOrder(anOrder()));

    expect(error).toMatchObject({ name: 'BrokerUnavailableError', ambiguous: false });
  });

  it('serves a queued fault the number of times asked, then answers normally', async () => {
    fake.inject({ kind: 'status', status: 502 }, { method: 'GET', path: '/v2/clock', times: 2 });

    const first = await failure(broker.getClock());
    const second = await failure(broker.getClock());
    const third = await broker.getClock();

    expect([first, second]).toEqual([expect.any(BrokerUnavailableError), expect.any(BrokerUnavailableError)]);
    expect(third.isOpen).toBe(true);
    expect(fake.pendingFaults).toBe(0);
  });
});

describe('a resubmission of an order Alpaca holds', () => {
  it('is ambiguous when reading the existing order fails, even on a read', async () => {
    await broker.submitOrder(anOrder());
    fake.inject({ kind: 'status', status: 503 }, { path: '/v2/orders:by_client_order_id' });

    const error = await failure(broker.submitOrder(anOrder()));

    expect(error).toMatchObject({ name: 'BrokerUnavailableError', ambiguous: true });
  });
});
