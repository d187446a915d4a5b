/**
 * The fault suite, part 1: orders the broker took whose answer the app never got (an answer that
 * hangs past the attempt's timeout, a submission that reaches the broker only after the lookup, a
 * failure right after the broker call), and resends of an alert while its order is in flight. The app runs over DynamoDB Local with the real Alpaca adapter calling
 * the Alpaca fake over HTTP (tests/support/fault-rig.ts). Every test ends with one reconcile pass,
 * then checks that the broker holds exactly one order per alert and that our books and the broker's
 * agree. Part 2, fault-suite-retries.test.ts, covers failures before the broker took the order.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_MESSAGE, CrashingBroker } from '../support/crashing-broker.ts';
import { type FaultRig, type RigOptions, startFaultRig, warmUp } from '../support/fault-rig.ts';
import { lateFetch } from '../support/late-fetch.ts';

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

/** The broker makes the order, then holds the answer until the client gives up. */
function hangNextSubmission(r: FaultRig): void {
  r.fake.inject({ kind: 'hang_after' }, { method: 'POST', path: '/v2/orders' });
}

describe('an order the broker took whose answer hangs past the attempt timeout', () => {
  it('looks the order up instead of resending it, and answers 200 accepted while the deadline leaves time', async () => {
    // Prepare: the attempt is aborted after 1,500 ms of the 2,900 ms deadline
    const r = await open();
    hangNextSubmission(r);

    // Act
    const { status, answer } = await r.h.post(r.buy('AAPL', 10));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED', filledQty: 10 });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.alpaca.getPositions()).toEqual([{ symbol: 'AAPL', qty: 10, avgPrice: 190 }]);
    expect(await r.disagreements()).toEqual([]);
  });

  it('answers 202 pending when the timeout uses up the deadline; a resend is a duplicate and one pass settles the order', async () => {
    // Prepare: with a 1,000 ms deadline the only attempt times out at the deadline, leaving no time to look up
    const r = await open({ deadlineMs: 1000 });
    hangNextSubmission(r);
    const body = r.buy('AAPL', 10);

    // Act
    const first = await r.h.post(body);
    const resend = await r.h.post(body);
    const trail = r.trail();
    const before = await r.h.deps.orders.get(`pb-${first.answer.alertId}-1`);
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${first.answer.alertId}-1`;
    expect(first.status).toBe(202);
    expect(first.answer).toMatchObject({ status: 'pending', orderId });
    expect(resend.status).toBe(200);
    expect(resend.answer).toMatchObject({ status: 'duplicate', duplicateOf: first.answer.alertId });
    expect(trail).toEqual([`submit ${orderId}`]);
    expect(before).toMatchObject({ status: 'IN_FLIGHT', settled: false });
    expect(pass).toMatchObject({ ordersChecked: 1, ordersSettled: 1, drift: [], errors: [] });
    expect(await r.h.deps.orders.get(orderId)).toMatchObject({
      status: 'FILLED',
      filledQty: 10,
      settled: true,
    });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [first.answer.alertId]: 1 });
    expect(await r.alpaca.getPositions()).toEqual([{ symbol: 'AAPL', qty: 10, avgPrice: 190 }]);
    expect(await r.disagreements()).toEqual([]);
  });
  it('answers a resend with the existing order when the first submission reaches Alpaca only after the lookup', async () => {
    // Prepare: the first POST is held in the network past the attempt timeout and lands just after the lookup
    const late = lateFetch();
    const r = await open({ fetch: late.fetch });

    // Act
    const { status, answer } = await r.h.post(r.buy('AAPL', 6));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess: the resend is refused as a reused client order id, and the adapter returns the order Alpaca holds
    const orderId = `pb-${answer.alertId}-1`;
    expect(late.delivered()).toBe(true);
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED', filledQty: 6 });
    expect(trail).toEqual([
      `look up ${orderId}`,
      `submit ${orderId}`,
      `submit ${orderId}`,
      `look up ${orderId}`,
    ]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('records a working limit order ACCEPTED from the lookup; a pass after a partial fill shows what Alpaca shows', async () => {
    // Prepare: a limit buy below the market rests at Alpaca; its answer hangs
    const r = await open();
    hangNextSubmission(r);
    const body = r.h.alert({
      symbol: 'AAPL',
      action: 'buy',
      quantity: 10,
      price: 190,
      type: 'limit',
      limit_price: 180,
    });

    // Act
    const { status, answer } = await r.h.post(body);
    const trail = r.trail();
    r.fake.fill(`pb-${answer.alertId}-1`, { qty: 4 });
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'ACCEPTED', filledQty: 0 });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 1, stillOpen: 1, drift: [], errors: [] });
    expect(await r.h.deps.orders.get(orderId)).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filledQty: 4,
      settled: false,
    });
    expect(await r.alpaca.getPositions()).toEqual([{ symbol: 'AAPL', qty: 4, avgPrice: 180 }]);
    expect(await r.disagreements()).toEqual([]);
  });
});

describe('a failure right after the broker took the order', () => {
  it('takes an unknown error from the adapter as ambiguous: looks the order up and answers 200 accepted', async () => {
    // Prepare: the adapter's submitOrder throws a plain Error once Alpaca has made the order
    const r = await open({ wrap: (alpaca) => new CrashingBroker(alpaca, 'throw') });

    // Act
    const { status, answer } = await r.h.post(r.buy('MSFT', 3));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED', filledQty: 3 });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('answers 202 pending when the handler dies before writing the answer; the order stays IN_FLIGHT until one pass settles it', async () => {
    // Prepare: the handler aborts while it reads the broker's answer, before anything of it is written
    const r = await open({ wrap: (alpaca) => new CrashingBroker(alpaca, 'die') });
    const body = r.buy('MSFT', 3);

    // Act
    const first = await r.h.post(body);
    const resend = await r.h.post(body);
    const trail = r.trail();
    const before = await r.h.deps.orders.get(`pb-${first.answer.alertId}-1`);
    const pass = await r.reconcileOnce();

    // Assess
    const { alertId } = first.answer;
    const orderId = `pb-${alertId}-1`;
    expect(first.status).toBe(202);
    expect(first.answer).toMatchObject({ status: 'pending', orderId });
    expect(resend.answer).toMatchObject({ status: 'duplicate', duplicateOf: alertId });
    expect((await r.h.alerts()).find((alert) => alert.alertId === alertId)).toMatchObject({
      status: 'pending',
      httpStatus: 202,
      orderIds: [orderId],
    });
    expect(
      r.h.logs.some((line) => line.includes('alert processing failed') && line.includes(CRASH_MESSAGE)),
    ).toBe(true);
    expect(trail).toEqual([`submit ${orderId}`]);
    expect(before).toMatchObject({ status: 'IN_FLIGHT', settled: false, filledQty: 0 });
    expect(pass).toMatchObject({ ordersChecked: 1, ordersSettled: 1, drift: [], errors: [] });
    expect(await r.h.deps.orders.get(orderId)).toMatchObject({
      status: 'FILLED',
      filledQty: 3,
      settled: true,
    });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [alertId]: 1 });
    expect(await r.alpaca.getPositions()).toEqual([{ symbol: 'MSFT', qty: 3, avgPrice: 410 }]);
    expect(await r.disagreements()).toEqual([]);
  });

  it('settles the order the dead handler left before sizing the next alert for the symbol, so an exit closes it', async () => {
    // Prepare: the entry's handler died after Alpaca made and filled the order
    const r = await open({ wrap: (alpaca) => new CrashingBroker(alpaca, 'die') });
    const entry = await r.h.post(r.buy('MSFT', 3));

    // Act
    const exit = await r.h.post(r.h.alert({ symbol: 'MSFT', action: 'exit', price: 410 }));
    const pass = await r.reconcileOnce();

    // Assess
    expect(entry.answer.status).toBe('pending');
    expect(exit.status).toBe(200);
    expect(exit.answer).toMatchObject({ status: 'accepted', side: 'sell', qty: 3, orderStatus: 'FILLED' });
    expect(await r.h.deps.orders.get(`pb-${entry.answer.alertId}-1`)).toMatchObject({
      status: 'FILLED',
      settled: true,
    });
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [entry.answer.alertId]: 1, [exit.answer.alertId]: 1 });
    expect(await r.alpaca.getPositions()).toEqual([]);
    expect(await r.disagreements()).toEqual([]);
  });
});

describe('resends of an alert while its order is in flight', () => {
  it('answers every resend during the hang as a duplicate of the first delivery and makes one broker order', async () => {
    // Prepare: the first delivery's submission reached the broker and its answer hangs
    const r = await open();
    hangNextSubmission(r);
    const body = r.buy('NVDA', 5);
    let firstAnswered = false;
    const first = r.h.post(body).finally(() => {
      firstAnswered = true;
    });
    await expect.poll(() => r.trail()).toHaveLength(1);

    // Act
    const resends = await Promise.all(Array.from({ length: 5 }, () => r.h.post(body)));
    const answeredDuringResends = firstAnswered;
    const { status, answer } = await first;
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const orderId = `pb-${answer.alertId}-1`;
    expect(answeredDuringResends).toBe(false);
    expect(resends.map((resend) => [resend.status, resend.answer.status, resend.answer.duplicateOf])).toEqual(
      Array.from({ length: 5 }, () => [200, 'duplicate', answer.alertId]),
    );
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId, orderStatus: 'FILLED', filledQty: 5 });
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [answer.alertId]: 1 });
    expect(await r.disagreements()).toEqual([]);
  });

  it('lets exactly one of six concurrent deliveries of the same body reach the broker', async () => {
    // Prepare
    const r = await open();
    hangNextSubmission(r);
    const body = r.buy('AMD', 4);

    // Act
    const answers = await Promise.all(Array.from({ length: 6 }, () => r.h.post(body)));
    const trail = r.trail();
    const pass = await r.reconcileOnce();

    // Assess
    const owners = answers.filter(({ answer }) => answer.status !== 'duplicate');
    const duplicates = answers.filter(({ answer }) => answer.status === 'duplicate');
    expect(owners).toHaveLength(1);
    const alertId = owners[0]?.answer.alertId ?? 'none';
    const orderId = `pb-${alertId}-1`;
    expect(owners[0]).toMatchObject({ status: 200, answer: { status: 'accepted', orderStatus: 'FILLED' } });
    expect(duplicates.map(({ answer }) => answer.duplicateOf)).toEqual(
      Array.from({ length: 5 }, () => alertId),
    );
    expect(trail).toEqual([`submit ${orderId}`, `look up ${orderId}`]);
    expect(pass).toMatchObject({ ordersChecked: 0, drift: [], errors: [] });
    expect(await r.brokerOrdersPerAlert()).toEqual({ [alertId]: 1 });
    expect(await r.alpaca.getPositions()).toEqual([{ symbol: 'AMD', qty: 4, avgPrice: 150 }]);
    expect(await r.disagreements()).toEqual([]);
  });
});
