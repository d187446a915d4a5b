/**
 * Contract tests: the Alpaca adapter against the Alpaca fake over real HTTP. Every request the
 * adapter sends is checked against Alpaca's OpenAPI spec by the fake; the last test asserts none
 * broke it. Failures and faults are in alpaca-broker-faults.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../src/brokers/alpaca/alpaca-broker.ts';
import { BrokerRejectedError } from '../../src/brokers/errors.ts';
import { asClientOrderId, brokerOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { type AlpacaFake, startAlpacaFake } from '../support/alpaca-fake/index.ts';

let fake: AlpacaFake;
let broker: AlpacaBroker;
let sequence = 0;

beforeAll(async () => {
  fake = await startAlpacaFake({ prices: { AAPL: 190, MSFT: 400, TSLA: 250 }, cash: 1_000_000 });
  broker = new AlpacaBroker({ baseUrl: fake.url, keyId: fake.keyId, secretKey: fake.secretKey });
});

afterAll(async () => {
  await fake.close();
});

function anOrder(overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  sequence += 1;
  return {
    clientOrderId: asClientOrderId(`pb-contract-${sequence}`),
    symbol: 'AAPL',
    side: 'buy',
    qty: 2,
    type: 'market',
    timeInForce: 'day',
    ...overrides,
  };
}

function lastOrderBody(): unknown {
  return fake.requests.filter((request) => request.method === 'POST').at(-1)?.body;
}

describe('submitting orders', () => {
  it('fills a market order at the price and reports its fill from the FILL activity', async () => {
    const order = anOrder();

    const report = await broker.submitOrder(order);

    const activity = fake.activities.find((entry) => entry.order_id === report.brokerOrderId);
    expect(report).toMatchObject({
      clientOrderId: order.clientOrderId,
      status: 'FILLED',
      qty: 2,
      filledQty: 2,
    });
    expect(report.fills).toEqual([expect.objectContaining({ fillId: activity?.id, qty: 2, price: 190 })]);
    expect(lastOrderBody()).toEqual({
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
      client_order_id: order.clientOrderId,
      qty: '2',
    });
  });

  it.each([
    ['limit', { limitPrice: 180.5 }, { limit_price: '180.5' }],
    ['stop', { stopPrice: 200.25 }, { stop_price: '200.25' }],
    ['stop_limit', { stopPrice: 200, limitPrice: 201 }, { stop_price: '200', limit_price: '201' }],
    ['trailing_stop', { trailPercent: 1.5 }, { trail_percent: '1.5' }],
  ] as const)('places a resting %s order with its prices as strings', async (type, prices, sent) => {
    const report = await broker.submitOrder(anOrder({ type, timeInForce: 'gtc', ...prices }));

    expect(report).toMatchObject({ status: 'ACCEPTED', filledQty: 0, fills: [] });
    expect(lastOrderBody()).toMatchObject({ type, time_in_force: 'gtc', ...sent });
    expect(fake.order(report.brokerOrderId ?? '')?.type).toBe(type);
  });

  it.each(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] as const)(
    'sends time in force %s',
    async (timeInForce) => {
      const report = await broker.submitOrder(anOrder({ type: 'limit', limitPrice: 150, timeInForce }));

      expect(fake.order(report.clientOrderId)?.time_in_force).toBe(timeInForce);
    },
  );

  it('sends extended hours with a limit order', async () => {
    const report = await broker.submitOrder(anOrder({ type: 'limit', limitPrice: 150, extendedHours: true }));

    expect(fake.order(report.clientOrderId)?.extended_hours).toBe(true);
  });

  it('places a bracket whose exits wait until the entry fills', async () => {
    const order = anOrder({
      type: 'limit',
      limitPrice: 185,
      takeProfit: { limitPrice: 210 },
      stopLoss: { stopPrice: 175 },
    });

    const report = await broker.submitOrder(order);
    const placed = fake.order(order.clientOrderId);
    fake.fill(order.clientOrderId);

    expect(report.status).toBe('ACCEPTED');
    expect(placed?.order_class).toBe('bracket');
    expect(
      placed?.legs?.map((leg) => [leg.side, leg.type, leg.limit_price ?? leg.stop_price, leg.status]),
    ).toEqual([
      ['sell', 'limit', '210', 'held'],
      ['sell', 'stop', '175', 'held'],
    ]);
    expect(fake.order(order.clientOrderId)?.legs?.map((leg) => leg.status)).toEqual(['new', 'new']);
  });

  it('places an OTO when the entry carries one exit', async () => {
    const order = anOrder({ type: 'limit', limitPrice: 185, stopLoss: { stopPrice: 170, limitPrice: 169 } });

    await broker.submitOrder(order);

    const placed = fake.order(order.clientOrderId);
    expect(placed?.order_class).toBe('oto');
    expect(placed?.legs?.map((leg) => [leg.type, leg.stop_price, leg.limit_price])).toEqual([
      ['stop_limit', '170', '169'],
    ]);
  });

  it('sends a notional order and reports the quantity it bought', async () => {
    const report = await broker.submitOrder(anOrder({ symbol: 'TSLA', notional: 1000, qty: 4 }));

    expect(lastOrderBody()).toMatchObject({ notional: '1000' });
    expect(lastOrderBody()).not.toHaveProperty('qty');
    expect(report).toMatchObject({ status: 'FILLED', qty: 4, filledQty: 4 });
  });

  it('refuses a notional limit order before any request', async () => {
    const before = fake.requests.length;

    const attempt = broker.submitOrder(anOrder({ notional: 1000, type: 'limit', limitPrice: 150 }));

    await expect(attempt).rejects.toMatchObject({ name: 'BrokerRejectedError', code: 'INVALID_ORDER' });
    expect(fake.requests.length).toBe(before);
  });

  it('returns the first order when a client order id is submitted again', async () => {
    const order = anOrder();
    const first = await broker.submitOrder(order);

    const second = await broker.submitOrder(order);

    expect(second).toEqual(first);
    expect(fake.orders.filter((placed) => placed.client_order_id === order.clientOrderId)).toHaveLength(1);
  });

  it('returns the canceled order when its client order id is submitted again', async () => {
    const order = anOrder({ type: 'limit', limitPrice: 100 });
    await broker.submitOrder(order);
    await broker.cancelOrder({ clientOrderId: order.clientOrderId });

    const again = await broker.submitOrder(order);

    expect(again.status).toBe('CANCELED');
  });
});

describe('reading orders', () => {
  it('finds an order by client order id and by broker order id, and not an unknown one', async () => {
    const report = await broker.submitOrder(anOrder({ type: 'limit', limitPrice: 100 }));

    const byClient = await broker.getOrder(report.clientOrderId);
    const byBroker = await broker.getOrderByBrokerId(brokerOrderId(report.brokerOrderId ?? ''));

    expect(byClient).toEqual(report);
    expect(byBroker).toEqual(report);
    expect(await broker.getOrder(asClientOrderId('pb-never-sent'))).toBeUndefined();
    expect(await broker.getOrderByBrokerId(brokerOrderId(crypto.randomUUID()))).toBeUndefined();
  });

  it('answers undefined for a broker id that is not Alpaca, without asking', async () => {
    const before = fake.requests.length;

    expect(await broker.getOrderByBrokerId(brokerOrderId('paper-pb-1'))).toBeUndefined();
    expect(fake.requests.length).toBe(before);
  });

  it('reports partial fills one by one, then the order filled', async () => {
    const order = anOrder({ qty: 10, type: 'limit', limitPrice: 150 });
    await broker.submitOrder(order);

    fake.fill(order.clientOrderId, { qty: 4, price: 149 });
    const partial = await broker.getOrder(order.clientOrderId);
    fake.fill(order.clientOrderId, { price: 150 });
    const filled = await broker.getOrder(order.clientOrderId);

    expect(partial).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 4, avgFillPrice: 149 });
    expect(filled).toMatchObject({ status: 'FILLED', filledQty: 10, avgFillPrice: 149.6 });
    expect(filled?.fills.map((fill) => [fill.qty, fill.price])).toEqual([
      [4, 149],
      [6, 150],
    ]);
  });

  it('reports only the fills Alpaca lists while its fill feed lags', async () => {
    const order = anOrder({ qty: 10, type: 'limit', limitPrice: 150 });
    await broker.submitOrder(order);
    fake.fill(order.clientOrderId, { qty: 4 });
    fake.fill(order.clientOrderId, { withholdActivity: true });

    const lagging = await broker.getOrder(order.clientOrderId);
    fake.releaseActivities();
    const caughtUp = await broker.getOrder(order.clientOrderId);

    expect(fake.order(order.clientOrderId)?.status).toBe('filled');
    expect(lagging).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 4 });
    expect(caughtUp).toMatchObject({ status: 'FILLED', filledQty: 10 });
  });

  it('reads an order whose fills lie pages deep in the activity feed', async () => {
    const order = anOrder({ symbol: 'MSFT', qty: 3, type: 'limit', limitPrice: 390 });
    await broker.submitOrder(order);
    for (let index = 0; index < 150; index += 1)
      fake.place({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' });
    fake.fill(order.clientOrderId);

    const report = await broker.getOrder(order.clientOrderId);

    expect(report).toMatchObject({ status: 'FILLED', filledQty: 3 });
  });
});

describe('canceling orders', () => {
  it('cancels by broker order id when known, else finds the order first', async () => {
    const known = await broker.submitOrder(anOrder({ type: 'limit', limitPrice: 100 }));
    const unknown = await broker.submitOrder(anOrder({ type: 'limit', limitPrice: 100 }));

    await broker.cancelOrder({ clientOrderId: known.clientOrderId, brokerOrderId: known.brokerOrderId });
    await broker.cancelOrder({ clientOrderId: unknown.clientOrderId });

    expect(fake.order(known.clientOrderId)?.status).toBe('canceled');
    expect(fake.order(unknown.clientOrderId)?.status).toBe('canceled');
    const deletes = fake.requests.filter((request) => request.method === 'DELETE').slice(-2);
    expect(deletes.map((request) => request.path)).toEqual([
      `/v2/orders/${known.brokerOrderId}`,
      `/v2/orders/${unknown.brokerOrderId}`,
    ]);
  });

  it('leaves an order that has ended as it is, and ignores one Alpaca never saw', async () => {
    const filled = await broker.submitOrder(anOrder());

    await broker.cancelOrder({ clientOrderId: filled.clientOrderId, brokerOrderId: filled.brokerOrderId });
    await broker.cancelOrder({ clientOrderId: asClientOrderId('pb-never-sent') });

    expect(fake.order(filled.clientOrderId)?.status).toBe('filled');
  });

  it('refuses to pretend a cancel happened while a replace is pending', async () => {
    const report = await broker.submitOrder(anOrder({ type: 'limit', limitPrice: 100 }));
    fake.setStatus(report.clientOrderId, 'pending_replace');

    const attempt = broker.cancelOrder({
      clientOrderId: report.clientOrderId,
      brokerOrderId: report.brokerOrderId,
    });

    await expect(attempt).rejects.toBeInstanceOf(BrokerRejectedError);
  });
});

describe('the spec', () => {
  it('was kept by every request of this suite', () => {
    expect(fake.violations).toEqual([]);
  });
});
