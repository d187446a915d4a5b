/**
 * The fault suite, part 2: submissions that failed before or while the broker took the order (5xx
 * answers, 429 rate limits, connections reset or refused) and what the submit policy makes of them:
 * a retry, a lookup by client order id before any resend when the failure may hide an order, 503
 * when nothing reached the broker, 202 when the outcome stays unknown. The rig is the one of part 1
 * (tests/support/fault-rig.ts); every test ends with one reconcile pass and the books' agreement.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeFault } from '../support/alpaca-fake/index.ts';
import { type FaultRig, type RigOptions, startFaultRig, warmUp } from '../support/fault-rig.ts';
import { refusingFetch } from '../support/refusing-fetch.ts';

let rig: FaultRig | undefined;
beforeAll(warmUp);
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function open(options?: RigOptions): Promise<FaultRig> {
  rig = await startFaultRig(options);
  return rig;
}

const SUBMISSIONS = { method: 'POST', path: '/v2/orders' } as const;

/**
 * The broker answers every submission with `fault` until `windowMs` has passed, then takes them:
 * a retry that does not wait as asked meets the limit again.
 */
function rateLimitFor(
  r: FaultRig,
  windowMs: number,
  fault: Extract<FakeFault, { kind: 'rate_limit' }>,
): void {
  r.fake.inject(fault, { ...SUBMISSIONS, times: 100 });
  setTimeout(() => r.fake.clearFaults(), windowMs);
}

describe('5xx answers to a submission', () => {
  it('looks the order up after a 500, resends it under the same client order id, and answers 200 with one broker order', async () => {
    // Prepare
    const r = await open();
    r.fake.inject({ kind: 'status', status: 500 }, SUBMISSIONS);

    // Act
    const { status, answer } = await r.h.post(r.buy('AAPL', 2));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED', filledQty: 2 });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`, `submit ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('answers 202 pending when every attempt gets a 503, since a 5xx to a write may hide an order; a pass after the grace period closes it', async () => {
    // Prepare
    const r = await open();
    r.fake.inject({ kind: 'status', status: 503 }, { ...SUBMISSIONS, times: 3 });

    // Act
    const { status, answer } = await r.h.post(r.buy('AAPL', 2));
    const trail = r.trail();
    const inGrace = await r.reconcileOnce();
    const agreedInGrace = await r.disagreements();
    r.advance(r.h.deps.unknownOrderGraceMs);
    const afterGrace = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(202);
    expect(answer).toMatchObject({ status: 'pending', orderId });
    expect(trail).toEqual([1, 2, 3].flatMap(() => [`submit ${orderId}`, `look up ${orderId}`]));
    expect(r.fake.orders).toEqual([]);
    expect(inGrace).toMatchObject({ ordersChecked: 1, stillOpen: 1, ordersClosedUnknown: 0, errors: [] });
    expect(agreedInGrace).toEqual([]);
    expect(afterGrace).toMatchObject({ ordersChecked: 1, ordersClosedUnknown: 1, errors: [] });
    expect(await r.h.deps.orders.get(orderId)).toMatchObject({ status: 'REJECTED', settled: true });
    expect(await r.disagreements()).toEqual([]);
  });
});

describe('429 rate limits on a submission', () => {
  it('waits the Retry-After the broker asks for rather than X-RateLimit-Reset, resends without a lookup, and answers 200', async () => {
    // Prepare: the limit lasts 0.7 s; Retry-After (1 s) fits before the deadline, X-RateLimit-Reset (60 s) would not
    const r = await open();
    rateLimitFor(r, 700, { kind: 'rate_limit', retryAfterSeconds: 1, resetInSeconds: 60 });

    // Act
    const { status, answer } = await r.h.post(r.buy('TSLA', 1));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED' });
    expect(trail).toEqual([`submit ${orderId}`, `submit ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('waits until X-RateLimit-Reset when no Retry-After comes, then answers 200 with one broker order', async () => {
    // Prepare: the limit lasts 0.7 s, and X-RateLimit-Reset names the next whole second plus one, 1 to 2 s away
    const r = await open();
    rateLimitFor(r, 700, { kind: 'rate_limit', resetInSeconds: 1 });

    // Act
    const { status, answer } = await r.h.post(r.buy('TSLA', 1));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(trail).toEqual([`submit ${orderId}`, `submit ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('gets through a burst of two 429s on the third attempt', async () => {
    // Prepare
    const r = await open();
    r.fake.inject({ kind: 'rate_limit', retryAfterSeconds: 0 }, { ...SUBMISSIONS, times: 2 });

    // Act
    const { status, answer } = await r.h.post(r.buy('META', 1));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(trail).toEqual([`submit ${orderId}`, `submit ${orderId}`, `submit ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('answers 503 after three rate-limited attempts, closes the order REJECTED and releases what it reserved', async () => {
    // Prepare
    const r = await open();
    r.fake.inject({ kind: 'rate_limit', retryAfterSeconds: 0 }, { ...SUBMISSIONS, times: 3 });

    // Act
    const { status, answer } = await r.h.post(r.buy('META', 1));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(503);
    expect(answer).toMatchObject({ status: 'unavailable', orderId });
    expect(trail).toEqual([`submit ${orderId}`, `submit ${orderId}`, `submit ${orderId}`]);
    expect(await r.h.deps.orders.get(orderId)).toMatchObject({ status: 'REJECTED', settled: true });
    expect(r.fake.orders).toEqual([]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.disagreements()).toEqual([]);
  });

  it('answers 503 without waiting when the wait asked for does not fit before the deadline, and processes the resend as new', async () => {
    // Prepare: 5 s is past the 2.9 s deadline
    const r = await open();
    r.fake.inject({ kind: 'rate_limit', retryAfterSeconds: 5 }, SUBMISSIONS);
    const body = r.buy('NVDA', 3);

    // Act
    const first = await r.h.post(body);
    const trailOfFirst = r.trail();
    const resend = await r.h.post(body);
    const pass = await r.reconcileOnce();

    // Assess
    const firstOrderId = `pb-${first.answer.alertId}-1`;
    expect(first.status).toBe(503);
    expect(first.answer).toMatchObject({ status: 'unavailable', orderId: firstOrderId });
    expect(trailOfFirst).toEqual([`submit ${firstOrderId}`]);
    expect(await r.h.deps.orders.get(firstOrderId)).toMatchObject({ status: 'REJECTED', settled: true });
    expect(resend.status).toBe(200);
    expect(resend.answer).toMatchObject({ status: 'accepted', orderStatus: 'FILLED' });
    expect(resend.answer.alertId).not.toBe(first.answer.alertId);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [resend.answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });
});

describe('connections reset or refused during a submission', () => {
  it('looks up after a reset (the adapter cannot tell whether Alpaca acted), finds nothing, resends and answers 200', async () => {
    // Prepare: the fake drops the connection before doing anything
    const r = await open();
    r.fake.inject({ kind: 'reset_before' }, SUBMISSIONS);

    // Act
    const { status, answer } = await r.h.post(r.buy('AAPL', 4));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED' });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`, `submit ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('finds the order by lookup after a reset once Alpaca made it, and answers 200 without resending', async () => {
    // Prepare: the fake makes the order, then drops the connection instead of answering
    const r = await open();
    r.fake.inject({ kind: 'reset_after' }, SUBMISSIONS);

    // Act
    const { status, answer } = await r.h.post(r.buy('AAPL', 4));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED', filledQty: 4 });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.alpaca.getPositions()).toEqual([{ symbol: 'AAPL', qty: 4, avgPrice: 190 }]);
    expect(await r.disagreements()).toEqual([]);
  });

  it('resends without a lookup after a refused connection, since nothing was sent, and answers 200', async () => {
    // Prepare
    const refusing = await refusingFetch(1);
    const r = await open({ fetch: refusing.fetch });

    // Act
    const { status, answer } = await r.h.post(r.buy('MSFT', 1));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(refusing.refused()).toBe(1);
    expect(trail).toEqual([`submit ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('answers 503 when every attempt is refused, closes the order REJECTED, and processes the resend as new', async () => {
    // Prepare
    const refusing = await refusingFetch(3);
    const r = await open({ fetch: refusing.fetch });
    const body = r.buy('MSFT', 1);

    // Act
    const first = await r.h.post(body);
    const resend = await r.h.post(body);
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const firstOrderId = `pb-${first.answer.alertId}-1`;
    expect(first.status).toBe(503);
    expect(first.answer).toMatchObject({ status: 'unavailable', orderId: firstOrderId });
    expect(refusing.refused()).toBe(3);
    expect(await r.h.deps.orders.get(firstOrderId)).toMatchObject({ status: 'REJECTED', settled: true });
    expect(resend.status).toBe(200);
    expect(resend.answer).toMatchObject({ status: 'accepted', orderStatus: 'FILLED' });
    expect(trail).toEqual([`submit pb-${resend.answer.alertId}-1`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [resend.answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });
});
