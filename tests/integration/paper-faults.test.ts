// The paper broker's injected faults, alone and through the app, and the broker circuit they trip. Faults
// with rate 1 always fire, so these tests do not depend on chance; the pure draw is tested with a scripted
// random source.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BrokerRateLimitedError,
  BrokerRejectedError,
  BrokerUnavailableError,
} from '../../src/brokers/errors.ts';
import { drawFault, NO_FAULTS, type PaperFaults } from '../../src/brokers/paper/faults.ts';
import { PaperBroker, type PaperBrokerSettings } from '../../src/brokers/paper/paper-broker.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { keys } from '../../src/store/table.ts';
import { type Harness, type ManualClock, manualClock, startHarness } from '../support/app-harness.ts';
import { ScriptedBroker } from '../support/scripted-broker.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

const SETTINGS: PaperBrokerSettings = {
  startingCash: 100_000,
  slippageBps: 0,
  commissionPerShare: 0,
  commissionPercent: 0,
  minCommission: 0,
  partialFillRatio: 1,
  latencyMs: 0,
};

/** A random source answering `values` in turn, then failing the test if asked for more. */
function scripted(...values: number[]): () => number {
  const queue = [...values];
  return () => queue.shift() ?? expect.unreachable('the random source was asked for more values');
}

/** A market buy with a price. */
function marketBuy(id: string, symbol: string, qty: number, price: number): SubmitOrder {
  const clientOrderId = asClientOrderId(id);
  return {
    clientOrderId,
    symbol,
    side: 'buy',
    qty,
    type: 'market',
    timeInForce: 'day',
    referencePrice: price,
  };
}

describe('drawFault', () => {
  const faults = (fields: Partial<PaperFaults>): PaperFaults => ({ ...NO_FAULTS, ...fields });

  it('draws nothing and lets the submission through when every rate is 0', () => {
    // Prepare
    const random = scripted();

    // Act
    const fault = drawFault(NO_FAULTS, random);

    // Assess
    expect(fault).toBeUndefined();
  });

  it('fires a fault whose draw falls below its rate and not one whose draw does not', () => {
    // Prepare
    const settings = faults({ errorRate: 0.25 });

    // Act
    const below = drawFault(settings, scripted(0.2));
    const above = drawFault(settings, scripted(0.25));

    // Assess
    expect(below).toBe('error');
    expect(above).toBeUndefined();
  });

  it('tries error, rate limit, reject, then timeout after accept, one draw each', () => {
    // Prepare
    const settings = faults({
      errorRate: 0.5,
      rateLimitRate: 0.5,
      rejectRate: 0.5,
      timeoutAfterAcceptRate: 0.5,
    });

    // Act
    const drawn = [
      drawFault(settings, scripted(0.1)),
      drawFault(settings, scripted(0.9, 0.1)),
      drawFault(settings, scripted(0.9, 0.9, 0.1)),
      drawFault(settings, scripted(0.9, 0.9, 0.9, 0.1)),
      drawFault(settings, scripted(0.9, 0.9, 0.9, 0.9)),
    ];

    // Assess
    expect(drawn).toEqual(['error', 'rate_limit', 'reject', 'timeout_after_accept', undefined]);
  });
});

describe('broker.paper.faults configuration', () => {
  it('reads the fault rates from PINEBRIDGE__ overrides and defaults the rest to 0', () => {
    // Prepare
    const env = {
      PINEBRIDGE__BROKER__PAPER__FAULTS__ERROR_RATE: '0.1',
      PINEBRIDGE__BROKER__PAPER__FAULTS__TIMEOUT_AFTER_ACCEPT_RATE: '0.05',
      PINEBRIDGE__BROKER__PAPER__FAULTS__RETRY_AFTER_MS: '250',
      PINEBRIDGE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '3',
    };

    // Act
    const config = loadConfig(env, () => '');

    // Assess
    expect(config.broker.paper.faults).toEqual({
      errorRate: 0.1,
      timeoutAfterAcceptRate: 0.05,
      rejectRate: 0,
      rateLimitRate: 0,
      retryAfterMs: 250,
    });
    expect(config.broker.circuit).toEqual({ failureThreshold: 3, openSeconds: 30 });
  });

  it('refuses a rate above 1 and a failure threshold of 0, naming both', () => {
    // Prepare
    const env = {
      PINEBRIDGE__BROKER__PAPER__FAULTS__REJECT_RATE: '1.5',
      PINEBRIDGE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '0',
    };

    // Act
    const load = () => loadConfig(env, () => '');

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/broker\.paper\.faults\.rejectRate: .*broker\.circuit\.failureThreshold: /s);
  });
});

describe('the paper broker with faults, on DynamoDB Local', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('faults');
  });
  afterAll(() => table.close());

  /** A paper broker over its own account in the shared table, with `faults`. */
  function paper(account: string, faults: Partial<PaperFaults>, random: () => number = Math.random) {
    const settings = { ...SETTINGS, faults: { ...NO_FAULTS, ...faults } };
    return new PaperBroker(table, account, settings, () => new Date(), { random });
  }

  it('fails an outage before doing anything: not ambiguous, and the broker knows no order', async () => {
    // Prepare
    const broker = paper('acct-outage', { errorRate: 1 });
    const order = marketBuy('outage-1', 'AAPL', 10, 100);

    // Act
    const submitted = broker.submitOrder(order);

    // Assess
    await expect(submitted).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(submitted).rejects.toMatchObject({ ambiguous: false });
    expect(await broker.getOrder(order.clientOrderId)).toBeUndefined();
    expect(await broker.getPositions()).toEqual([]);
  });

  it('asks to slow down for retryAfterMs when rate limited, and makes no order', async () => {
    // Prepare
    const broker = paper('acct-limit', { rateLimitRate: 1, retryAfterMs: 750 });
    const order = marketBuy('limit-1', 'AAPL', 10, 100);

    // Act
    const submitted = broker.submitOrder(order);

    // Assess
    await expect(submitted).rejects.toBeInstanceOf(BrokerRateLimitedError);
    await expect(submitted).rejects.toMatchObject({ retryAfterMs: 750 });
    expect(await broker.getOrder(order.clientOrderId)).toBeUndefined();
  });

  it('rejects SIMULATED_REJECT, reports the order REJECTED afterwards and moves no cash', async () => {
    // Prepare
    const broker = paper('acct-reject', { rejectRate: 1 });
    const order = marketBuy('reject-1', 'AAPL', 10, 100);

    // Act
    const submitted = broker.submitOrder(order);

    // Assess
    await expect(submitted).rejects.toBeInstanceOf(BrokerRejectedError);
    await expect(submitted).rejects.toMatchObject({ code: 'SIMULATED_REJECT' });
    expect(await broker.getOrder(order.clientOrderId)).toMatchObject({ status: 'REJECTED', filledQty: 0 });
    expect(await broker.getAccount()).toMatchObject({ cash: 100_000 });
    expect(await broker.listOpenOrders()).toEqual([]);
  });

  it('returns the order it holds when a seen client order id draws a rejection', async () => {
    // Prepare: the first submission goes through, the resubmission draws a reject
    const broker = paper('acct-reject-seen', { rejectRate: 0.5 }, scripted(0.9, 0.1));
    const order = marketBuy('reject-seen-1', 'AAPL', 10, 100);
    await broker.submitOrder(order);

    // Act
    const again = await broker.submitOrder(order);

    // Assess
    expect(again).toMatchObject({ status: 'FILLED', filledQty: 10 });
    expect(await broker.getPositions()).toEqual([{ symbol: 'AAPL', qty: 10, avgPrice: 100 }]);
  });

  it('makes and books the order, then hangs until the caller aborts and fails ambiguously', async () => {
    // Prepare
    const broker = paper('acct-timeout', { timeoutAfterAcceptRate: 1 });
    const order = marketBuy('timeout-1', 'AAPL', 10, 100);
    const controller = new AbortController();
    let answered = false;
    const submitted = broker.submitOrder(order, controller.signal).finally(() => {
      answered = true;
    });
    await expect.poll(() => broker.getOrder(order.clientOrderId)).toMatchObject({ status: 'FILLED' });
    const answeredBeforeAbort = answered;

    // Act
    controller.abort();

    // Assess
    await expect(submitted).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(submitted).rejects.toMatchObject({ ambiguous: true });
    expect(answeredBeforeAbort).toBe(false);
    expect(await broker.getPositions()).toEqual([{ symbol: 'AAPL', qty: 10, avgPrice: 100 }]);
    expect(await broker.getAccount()).toMatchObject({ cash: 99_000 });
  });

  it('fails ambiguously at once after booking when the caller passes no signal', async () => {
    // Prepare
    const broker = paper('acct-timeout-nosignal', { timeoutAfterAcceptRate: 1 });
    const order = marketBuy('timeout-nosignal-1', 'MSFT', 2, 400);

    // Act
    const submitted = broker.submitOrder(order);

    // Assess
    await expect(submitted).rejects.toMatchObject({ name: 'BrokerUnavailableError', ambiguous: true });
    expect(await broker.getOrder(order.clientOrderId)).toMatchObject({ status: 'FILLED', filledQty: 2 });
  });

  it('answers lookups truthfully whatever the fault rates', async () => {
    // Prepare: the order is made while the broker is healthy
    const healthy = paper('acct-truthful', {});
    const order = marketBuy('truthful-1', 'AAPL', 3, 100);
    await healthy.submitOrder(order);
    const failing = paper('acct-truthful', {
      errorRate: 1,
      rateLimitRate: 1,
      rejectRate: 1,
      timeoutAfterAcceptRate: 1,
    });

    // Act
    const found = await failing.getOrder(order.clientOrderId);

    // Assess
    expect(found).toMatchObject({ status: 'FILLED', filledQty: 3 });
    expect(await failing.getPositions()).toEqual([{ symbol: 'AAPL', qty: 3, avgPrice: 100 }]);
  });
});

/** The client order ids of every order the paper broker holds for the harness's account. */
async function paperOrderIds(h: Harness): Promise<string[]> {
  const { pk } = keys.paperAccount(h.config.account.id);
  const result = await h.table.doc.send(
    new QueryCommand({
      TableName: h.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :order)',
      ExpressionAttributeValues: { ':pk': pk, ':order': 'ORDER#' },
    }),
  );
  return (result.Items ?? []).map(
    (item) => z.object({ clientOrderId: z.string() }).parse(item).clientOrderId,
  );
}

describe('POST /webhook when the paper broker times out after accepting the order', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        PINEBRIDGE__WEBHOOK__DEADLINE_MS: '1000',
        PINEBRIDGE__BROKER__PAPER__FAULTS__TIMEOUT_AFTER_ACCEPT_RATE: '1',
      },
    });
  });
  afterAll(() => h.close());

  it('answers 202 pending, and one reconcile pass settles the one order the broker made', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100 });
    const first = await h.post(body);
    const resend = await h.post(body);
    const pending = await h.deps.orders.get(first.answer.orderId ?? '');

    // Act
    const reconciled = await h.api('/reconcile', { method: 'POST' });

    // Assess
    expect(first.status).toBe(202);
    expect(first.answer).toMatchObject({ status: 'pending', orderId: `pb-${first.answer.alertId}-1` });
    expect(resend.answer).toMatchObject({ status: 'duplicate', duplicateOf: first.answer.alertId });
    expect(pending).toMatchObject({ status: 'IN_FLIGHT', settled: false });
    expect(reconciled.status).toBe(200);
    expect(JSON.parse(reconciled.text)).toMatchObject({
      report: { ordersSettled: 1, drift: [], errors: [] },
    });
    expect(await paperOrderIds(h)).toEqual([first.answer.orderId]);
    expect(await h.deps.orders.get(first.answer.orderId ?? '')).toMatchObject({
      status: 'FILLED',
      filledQty: 10,
      settled: true,
    });
    const ours = (await h.positions()).map(({ symbol, qty, avgPrice }) => ({ symbol, qty, avgPrice }));
    expect(ours).toEqual(await h.deps.broker.getPositions());
    expect(ours).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10 })]);
  });
});

describe('POST /webhook when the paper broker rejects every order', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PINEBRIDGE__BROKER__PAPER__FAULTS__REJECT_RATE: '1' } });
  });
  afterAll(() => h.close());

  it('answers 422 rejected and releases the reservation', async () => {
    // Prepare
    const body = h.alert({ symbol: 'TSLA', action: 'buy', quantity: 5, price: 200 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(422);
    expect(answer).toMatchObject({ status: 'rejected', code: 'SIMULATED_REJECT' });
    expect(await h.deps.orders.get(answer.orderId ?? '')).toMatchObject({
      status: 'REJECTED',
      settled: true,
    });
    const book = await h.deps.book.get();
    expect(book.symbols.TSLA?.committed ?? 0).toBe(0);
    expect(book.pendingNotional).toBe(0);
    expect(book.openSymbols).toEqual([]);
    expect(await h.deps.broker.getPositions()).toEqual([]);
    expect(h.deps.circuit.state()).toBe('CLOSED');
  });
});

const Health = z.object({
  status: z.literal('ok'),
  broker: z.object({ name: z.string(), circuit: z.enum(['CLOSED', 'OPEN', 'HALF_OPEN']) }),
});
const AccountCircuit = z.object({ account: z.object({ circuit: z.string() }) });

/** The circuit state as GET /health and GET /api/account show it. */
async function circuitShown(h: Harness): Promise<{ health: string; account: string }> {
  const health = Health.parse(await (await h.app.request('/health')).json());
  const account = AccountCircuit.parse(JSON.parse((await h.api('/account')).text));
  return { health: health.broker.circuit, account: account.account.circuit };
}

/** Log entries with `message`. */
function logged(h: Harness, message: string): Array<Record<string, unknown>> {
  return h.logs
    .map((line) => z.record(z.string(), z.unknown()).parse(JSON.parse(line)))
    .filter((entry) => entry.message === message);
}

describe('the broker circuit when the paper broker is down', () => {
  const OPEN_SECONDS = 30;
  let h: Harness;
  let clock: ManualClock;
  let broker: ScriptedBroker;
  afterEach(() => h.close());

  /** A harness whose paper broker always fails, its circuit opened by two failed alerts. */
  async function openCircuit() {
    clock = manualClock('2026-03-02T15:00:00.000Z');
    broker = new ScriptedBroker();
    h = await startHarness({
      now: clock.now,
      env: {
        PINEBRIDGE__BROKER__PAPER__FAULTS__ERROR_RATE: '1',
        PINEBRIDGE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '2',
        PINEBRIDGE__BROKER__CIRCUIT__OPEN_SECONDS: String(OPEN_SECONDS),
      },
      broker: (paper) => broker.over(paper),
    });
    const failed = [
      await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100 })),
      await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 400 })),
    ];
    return { failed };
  }

  /** The paper broker recovers: the same books, without faults. */
  function recover(): void {
    const settings = { ...h.config.broker.paper, faults: NO_FAULTS };
    broker.over(new PaperBroker(h.table, h.config.account.id, settings, clock.now));
  }

  it('opens after failureThreshold failed alerts and refuses the next with 503 without calling the broker', async () => {
    // Prepare
    const { failed } = await openCircuit();
    const callsBefore = broker.submitted.length;

    // Act
    const refused = await h.post(h.alert({ symbol: 'NVDA', action: 'buy', quantity: 1, price: 900 }));

    // Assess
    expect(failed.map(({ status, answer }) => [status, answer.status, answer.code])).toEqual([
      [503, 'unavailable', undefined],
      [503, 'unavailable', undefined],
    ]);
    expect(refused.status).toBe(503);
    expect(refused.answer).toMatchObject({ status: 'unavailable', code: 'BROKER_CIRCUIT_OPEN' });
    expect(refused.answer.orderId).toBeUndefined();
    expect(callsBefore).toBeGreaterThanOrEqual(2);
    expect(broker.submitted).toHaveLength(callsBefore);
    expect(await circuitShown(h)).toEqual({ health: 'OPEN', account: 'OPEN' });
    const book = await h.deps.book.get();
    expect(book.pendingNotional).toBe(0);
    expect(book.symbols.NVDA?.committed ?? 0).toBe(0);
    expect(await h.orders()).toHaveLength(2);
    const recorded = (await h.alerts()).find((alert) => alert.alertId === refused.answer.alertId);
    expect(recorded).toMatchObject({ status: 'unavailable', httpStatus: 503, code: 'BROKER_CIRCUIT_OPEN' });
    expect(logged(h, 'broker circuit opened: new alerts are refused')).toEqual([
      expect.objectContaining({ level: 'warn', accountId: 'default', circuit: 'OPEN', failures: 2 }),
    ]);
    expect(logged(h, 'broker circuit refused an alert')).toEqual([
      expect.objectContaining({ level: 'warn', alertId: refused.answer.alertId, circuit: 'OPEN' }),
    ]);
  });

  it('lets one probe through after openSeconds; its success closes the circuit and the resend is accepted', async () => {
    // Prepare: an alert refused while open, then the broker recovers and the open time passes
    await openCircuit();
    const body = h.alert({ symbol: 'NVDA', action: 'buy', quantity: 1, price: 900 });
    const refused = await h.post(body);
    recover();
    clock.set(new Date(clock.now().getTime() + OPEN_SECONDS * 1000));
    const halfOpen = await circuitShown(h);
    const callsBefore = broker.submitted.length;

    // Act
    const resend = await h.post(body);

    // Assess
    expect(refused.answer.code).toBe('BROKER_CIRCUIT_OPEN');
    expect(halfOpen).toEqual({ health: 'HALF_OPEN', account: 'HALF_OPEN' });
    expect(resend.status).toBe(200);
    expect(resend.answer).toMatchObject({ status: 'accepted', filledQty: 1 });
    expect(broker.submitted).toHaveLength(callsBefore + 1);
    expect(await circuitShown(h)).toEqual({ health: 'CLOSED', account: 'CLOSED' });
    expect(logged(h, 'broker circuit closed')).toEqual([
      expect.objectContaining({ level: 'info', accountId: 'default', from: 'HALF_OPEN', circuit: 'CLOSED' }),
    ]);
  });

  it('opens again when the probe fails, and refuses the alert after it', async () => {
    // Prepare
    await openCircuit();
    clock.set(new Date(clock.now().getTime() + OPEN_SECONDS * 1000));
    const callsBefore = broker.submitted.length;

    // Act
    const probe = await h.post(h.alert({ symbol: 'AMD', action: 'buy', quantity: 1, price: 150 }));
    const after = await h.post(h.alert({ symbol: 'INTC', action: 'buy', quantity: 1, price: 30 }));

    // Assess
    expect(probe.status).toBe(503);
    expect(probe.answer.code).toBeUndefined();
    expect(broker.submitted.length).toBeGreaterThan(callsBefore);
    expect(after.answer).toMatchObject({ status: 'unavailable', code: 'BROKER_CIRCUIT_OPEN' });
    expect(await circuitShown(h)).toEqual({ health: 'OPEN', account: 'OPEN' });
  });
});
