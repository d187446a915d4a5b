import { afterEach, describe, expect, it } from 'vitest';
import {
  BrokerRateLimitedError,
  BrokerRejectedError,
  BrokerUnavailableError,
} from '../../src/brokers/errors.ts';
import { SchwabBroker } from '../../src/brokers/schwab/schwab-broker.ts';
import { asClientOrderId, brokerOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { type SchwabRig, START, startRig } from '../support/schwab-fake/harness.ts';

let rig: SchwabRig;
afterEach(async () => {
  await rig?.fake.close();
});

/** An order the memory has recorded as sent now, as the order table would before submitting. */
function ours(
  rigNow: SchwabRig,
  id: string,
  fields: Partial<SubmitOrder> = {},
  effect?: 'open' | 'reduce',
): SubmitOrder {
  const order: SubmitOrder = {
    clientOrderId: asClientOrderId(id),
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    type: 'market',
    timeInForce: 'day',
    ...fields,
  };
  const submittedAt = rigNow.clock.now().toISOString();
  rigNow.memory.remember(order.clientOrderId, { ...order, submittedAt, effect: effect ?? 'open' });
  return order;
}

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('the Schwab adapter against the fake Trader API', () => {
  it('places a market buy and reports its fills from the execution legs', async () => {
    rig = await startRig();
    rig.fake.book.prices.set('AAPL', 187.5);
    const report = await rig.broker.submitOrder(ours(rig, 'pb-a-1'));
    expect(report).toMatchObject({
      clientOrderId: 'pb-a-1',
      status: 'FILLED',
      filledQty: 10,
      avgFillPrice: 187.5,
    });
    expect(report.brokerOrderId).toBe(String(rig.fake.book.orders[0]?.orderId));
    expect(report.fills).toEqual([expect.objectContaining({ qty: 10, price: 187.5, filledAt: START })]);
    expect(await rig.broker.getPositions()).toEqual([{ symbol: 'AAPL', qty: 10, avgPrice: 187.5 }]);
  });

  it.each([
    [{ type: 'limit', limitPrice: 180 }, 'LIMIT'],
    [{ type: 'stop', stopPrice: 200 }, 'STOP'],
    [{ type: 'stop_limit', stopPrice: 200, limitPrice: 201 }, 'STOP_LIMIT'],
    [{ type: 'trailing_stop', trailPercent: 3 }, 'TRAILING_STOP'],
    [{ type: 'limit', limitPrice: 180, extendedHours: true, timeInForce: 'gtc' }, 'LIMIT'],
  ] as const)('places a %o order that Schwab keeps working', async (fields, orderType) => {
    rig = await startRig();
    const report = await rig.broker.submitOrder(ours(rig, 'pb-t-1', fields));
    expect(report).toMatchObject({ status: 'ACCEPTED', filledQty: 0, fills: [] });
    expect(rig.fake.placed).toEqual([expect.objectContaining({ orderType })]);
  });

  it('places a bracket whose exits wait for the entry, then work as an OCO', async () => {
    rig = await startRig();
    rig.fake.book.fillPolicy = 'none';
    const entry = ours(rig, 'pb-b-1', { takeProfit: { limitPrice: 210 }, stopLoss: { stopPrice: 170 } });
    const placed = await rig.broker.submitOrder(entry);
    expect(placed.status).toBe('ACCEPTED');
    rig.memory.learn(entry.clientOrderId, placed.brokerOrderId);
    expect((await rig.broker.listOpenOrders()).map((order) => order.status)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'ACCEPTED',
    ]);
    rig.fake.book.fill(Number(placed.brokerOrderId), 10, 190);
    const open = await rig.broker.listOpenOrders();
    expect(open.map(({ side, qty, status }) => ({ side, qty, status }))).toEqual([
      { side: 'sell', qty: 10, status: 'ACCEPTED' },
      { side: 'sell', qty: 10, status: 'ACCEPTED' },
    ]);
    expect(open.every((order) => order.clientOrderId === `schwab-${order.brokerOrderId}`)).toBe(true);
    expect(await rig.broker.getOrder(entry.clientOrderId)).toMatchObject({ status: 'FILLED', filledQty: 10 });
  });

  it('opens a short with SELL_SHORT and covers it with BUY_TO_COVER', async () => {
    rig = await startRig();
    await rig.broker.submitOrder(ours(rig, 'pb-s-1', { side: 'sell', qty: 5 }, 'open'));
    expect(await rig.broker.getPositions()).toEqual([{ symbol: 'AAPL', qty: -5, avgPrice: 100 }]);
    await rig.broker.submitOrder(ours(rig, 'pb-s-2', { qty: 5 }, 'reduce'));
    expect(rig.fake.placed).toMatchObject([
      { orderLegCollection: [{ instruction: 'SELL_SHORT' }] },
      { orderLegCollection: [{ instruction: 'BUY_TO_COVER' }] },
    ]);
    expect(await rig.broker.getPositions()).toEqual([]);
  });

  it('reports Schwab’s refusal of an order with Schwab’s message', async () => {
    rig = await startRig();
    const error = await rejection(rig.broker.submitOrder(ours(rig, 'pb-r-1', { side: 'sell' }, 'reduce')));
    expect(error).toBeInstanceOf(BrokerRejectedError);
    expect(error).toMatchObject({
      code: 'SCHWAB_BAD_REQUEST',
      message: expect.stringContaining('does not fit the position'),
    });
  });

  it.each([
    ['AWAITING_MANUAL_REVIEW', 'ACCEPTED', undefined],
    ['PENDING_CANCEL', 'PENDING_CANCEL', undefined],
    ['REJECTED', 'REJECTED', 'Insufficient buying power'],
    ['EXPIRED', 'EXPIRED', undefined],
    ['REPLACED', 'CANCELED', undefined],
  ])('reports a %s order as %s', async (schwab, status, reason) => {
    rig = await startRig();
    rig.fake.book.fillPolicy = 'none';
    const order = ours(rig, 'pb-st-1');
    const placed = await rig.broker.submitOrder(order);
    rig.fake.book.setStatus(Number(placed.brokerOrderId), schwab, reason);
    rig.memory.learn(order.clientOrderId, placed.brokerOrderId);
    expect(await rig.broker.getOrder(order.clientOrderId)).toMatchObject({ status, reason });
  });

  it('reports partial fills as they come, and lists them as fills of our order', async () => {
    rig = await startRig();
    rig.fake.book.fillPolicy = { partialQty: 3 };
    const order = ours(rig, 'pb-p-1');
    const placed = await rig.broker.submitOrder(order);
    expect(placed).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 3 });
    rig.memory.learn(order.clientOrderId, placed.brokerOrderId);
    rig.clock.advance(1000);
    rig.fake.book.fill(Number(placed.brokerOrderId), 7, 101, { listed: false });
    expect(await rig.broker.getOrder(order.clientOrderId)).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filledQty: 3,
    });
    rig.fake.book.listFills(Number(placed.brokerOrderId));
    expect(await rig.broker.getOrder(order.clientOrderId)).toMatchObject({ status: 'FILLED', filledQty: 10 });
    const fills = await rig.broker.listFillsSince(new Date(START));
    expect(fills.map(({ clientOrderId, qty, price }) => ({ clientOrderId, qty, price }))).toEqual([
      { clientOrderId: 'pb-p-1', qty: 3, price: 100 },
      { clientOrderId: 'pb-p-1', qty: 7, price: 101 },
    ]);
    expect(await rig.broker.listFillsSince(new Date(Date.parse(START) + 500))).toHaveLength(1);
  });

  it('returns the order already placed when an order whose Schwab id we know is submitted again', async () => {
    rig = await startRig();
    const order = ours(rig, 'pb-d-1');
    const first = await rig.broker.submitOrder(order);
    rig.memory.learn(order.clientOrderId, first.brokerOrderId);
    expect(await rig.broker.submitOrder(order)).toEqual(first);
    expect(rig.fake.requestsTo('/orders', 'POST')).toHaveLength(1);
  });

  it('finds an order whose answer was lost, and never gives one Schwab order to two of ours', async () => {
    rig = await startRig();
    rig.fake.inject({ kind: 'reset-after' }, { method: 'POST', times: 2 });
    const first = ours(rig, 'pb-l-1');
    const firstError = await rejection(rig.broker.submitOrder(first));
    rig.clock.advance(1000);
    const second = ours(rig, 'pb-l-2');
    await rejection(rig.broker.submitOrder(second));
    expect(firstError).toBeInstanceOf(BrokerUnavailableError);
    expect(firstError).toMatchObject({ ambiguous: true });
    const [schwabFirst, schwabSecond] = rig.fake.book.orders.map((order) => String(order.orderId));
    const found = await rig.broker.getOrder(first.clientOrderId);
    expect(found).toMatchObject({ clientOrderId: 'pb-l-1', brokerOrderId: schwabFirst, status: 'FILLED' });
    rig.memory.learn(first.clientOrderId, found?.brokerOrderId);
    expect(await rig.broker.getOrder(second.clientOrderId)).toMatchObject({ brokerOrderId: schwabSecond });
  });

  it('finds nothing for an order reset before Schwab handled it, nor one Schwab had before we sent ours', async () => {
    rig = await startRig();
    await rig.broker.submitOrder(ours(rig, 'pb-m-0'));
    rig.clock.advance(10_000);
    rig.fake.inject({ kind: 'reset-before' }, { method: 'POST' });
    const lost = ours(rig, 'pb-m-1');
    expect(await rejection(rig.broker.submitOrder(lost))).toMatchObject({ ambiguous: true });
    expect(rig.fake.book.orders).toHaveLength(1);
    expect(await rig.broker.getOrder(lost.clientOrderId)).toBeUndefined();
    expect(await rig.broker.getOrder(asClientOrderId('never-sent'))).toBeUndefined();
  });

  it.each([
    [{ kind: 'status', status: 500 }, BrokerUnavailableError, { ambiguous: true }],
    [{ kind: 'reset-before' }, BrokerUnavailableError, { ambiguous: true }],
    [
      { kind: 'status', status: 429, headers: { 'retry-after': '7' } },
      BrokerRateLimitedError,
      { retryAfterMs: 7000 },
    ],
    [
      { kind: 'status', status: 403, body: { message: 'Not permitted' } },
      BrokerRejectedError,
      { code: 'SCHWAB_FORBIDDEN', message: expect.stringContaining('Not permitted') },
    ],
    [
      { kind: 'status', status: 422, body: { message: 'Bad price' } },
      BrokerRejectedError,
      { code: 'SCHWAB_UNPROCESSABLE' },
    ],
  ] as const)('turns %o on an order POST into %o', async (fault, errorClass, fields) => {
    rig = await startRig();
    rig.fake.inject(fault, { method: 'POST', path: '/orders' });
    const error = await rejection(rig.broker.submitOrder(ours(rig, 'pb-e-1')));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject(fields);
  });

  it.each([
    [{ kind: 'status', status: 503 }, BrokerUnavailableError, { ambiguous: false }],
    [{ kind: 'reset-before' }, BrokerUnavailableError, { ambiguous: false }],
    [
      { kind: 'status', status: 429, headers: { 'retry-after': 'Mon, 23 Nov 2026 15:00:03 GMT' } },
      BrokerRateLimitedError,
      { retryAfterMs: 3000 },
    ],
  ] as const)('turns %o on a GET into %o', async (fault, errorClass, fields) => {
    rig = await startRig();
    rig.fake.inject(fault, { method: 'GET', path: 'HASH-1' });
    const error = await rejection(rig.broker.getPositions());
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject(fields);
  });

  it('refuses an order for an account Schwab does not know', async () => {
    rig = await startRig();
    const settings = { baseUrl: rig.fake.baseUrl, ...rig.fake.app, accountHash: 'NOPE' };
    const broker = new SchwabBroker(settings, rig.store, rig.memory, { now: rig.clock.now });
    expect(await rejection(broker.submitOrder(ours(rig, 'pb-n-1')))).toMatchObject({
      code: 'SCHWAB_NOT_FOUND',
    });
  });

  it('returns the order as ACCEPTED with its id when reading it back after the POST fails', async () => {
    rig = await startRig();
    rig.fake.inject({ kind: 'status', status: 502 }, { method: 'GET', path: '/orders/' });
    const report = await rig.broker.submitOrder(ours(rig, 'pb-g-1'));
    expect(report).toMatchObject({
      status: 'ACCEPTED',
      brokerOrderId: String(rig.fake.book.orders[0]?.orderId),
    });
  });

  it('sends nothing when the signal aborted before the call', async () => {
    rig = await startRig();
    const error = await rejection(rig.broker.submitOrder(ours(rig, 'pb-x-1'), AbortSignal.abort()));
    expect(error).toMatchObject({ ambiguous: false });
    expect(rig.fake.requestsTo('/orders', 'POST')).toHaveLength(0);
  });

  it('cancels a working order, and leaves an ended or unknown one alone', async () => {
    rig = await startRig();
    rig.fake.book.fillPolicy = 'none';
    const working = await rig.broker.submitOrder(ours(rig, 'pb-c-1', { type: 'limit', limitPrice: 90 }));
    const filled = await rig.broker.submitOrder(ours(rig, 'pb-c-2'));
    rig.fake.book.fill(Number(filled.brokerOrderId), 10);
    await rig.broker.cancelOrder({ clientOrderId: working.clientOrderId });
    await rig.broker.cancelOrder({
      clientOrderId: filled.clientOrderId,
      brokerOrderId: filled.brokerOrderId,
    });
    await rig.broker.cancelOrder({
      clientOrderId: asClientOrderId('x'),
      brokerOrderId: brokerOrderId('999'),
    });
    expect(rig.fake.book.orders.map((order) => order.status)).toEqual(['CANCELED', 'FILLED']);
  });

  it('lists every open order across more orders than one answer holds', async () => {
    rig = await startRig({ broker: { maxResults: 2 } });
    rig.fake.book.fillPolicy = 'none';
    for (let index = 0; index < 5; index += 1) {
      rig.clock.advance(60_000);
      await rig.broker.submitOrder(ours(rig, `pb-page-${index}`));
    }
    expect(await rig.broker.listOpenOrders()).toHaveLength(5);
  });

  it('reads balances, and picks the account by number when the login reaches several', async () => {
    const accounts = [
      { accountNumber: '111', hashValue: 'HASH-A' },
      { accountNumber: '12345678', hashValue: 'HASH-B' },
    ];
    rig = await startRig({ fake: { accounts } });
    expect(await rejection(rig.broker.getAccount())).toMatchObject({ code: 'SCHWAB_ACCOUNT_AMBIGUOUS' });
    const settings = { baseUrl: rig.fake.baseUrl, ...rig.fake.app, accountNumber: '12345678' };
    const broker = new SchwabBroker(settings, rig.store, rig.memory, { now: rig.clock.now });
    expect(await broker.getAccount()).toEqual({
      cash: 50_000,
      equity: 80_000,
      buyingPower: 100_000,
      currency: 'USD',
    });
    expect(rig.fake.requestsTo('/accounts/HASH-B')).toHaveLength(1);
  });

  it('reports long and short positions and leaves the cash sweep out', async () => {
    rig = await startRig();
    rig.fake.book.setPosition('MSFT', 4, 400);
    rig.fake.book.setPosition('TSLA', -2, 250);
    rig.fake.book.setPosition('SWVXX', 900, 1, 'CASH_EQUIVALENT');
    expect(await rig.broker.getPositions()).toEqual([
      { symbol: 'MSFT', qty: 4, avgPrice: 400 },
      { symbol: 'TSLA', qty: -2, avgPrice: 250 },
    ]);
  });

  it('tells the market clock from the NYSE calendar', async () => {
    rig = await startRig();
    expect(await rig.broker.getClock()).toEqual({
      isOpen: true,
      timestamp: START,
      nextOpen: '2026-11-24T14:30:00.000Z',
      nextClose: '2026-11-23T21:00:00.000Z',
    });
  });
});
