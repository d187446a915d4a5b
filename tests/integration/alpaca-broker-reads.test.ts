/**
 * Contract tests of the Alpaca adapter's account-wide reads against the Alpaca fake: open orders
 * and fills over several pages, positions, account and clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlpacaBroker, ORDER_PAGE_LIMIT } from '../../src/brokers/alpaca/alpaca-broker.ts';
import { ACTIVITY_PAGE_SIZE } from '../../src/brokers/alpaca/alpaca-fills.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import { type AlpacaFake, startAlpacaFake } from '../support/alpaca-fake/index.ts';

let fake: AlpacaFake;
let broker: AlpacaBroker;

beforeEach(async () => {
  fake = await startAlpacaFake({ prices: { AAPL: 190, MSFT: 400 }, cash: 10_000_000 });
  broker = new AlpacaBroker({ baseUrl: fake.url, keyId: fake.keyId, secretKey: fake.secretKey });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

function restingBuy(clientOrderId: string): Record<string, unknown> {
  return {
    symbol: 'AAPL',
    qty: '1',
    side: 'buy',
    type: 'limit',
    limit_price: '100',
    time_in_force: 'gtc',
    client_order_id: clientOrderId,
  };
}

describe('listOpenOrders', () => {
  it('lists every working order over several pages, oldest first, and none that ended', async () => {
    const count = ORDER_PAGE_LIMIT * 2 + 7;
    for (let index = 0; index < count; index += 1) fake.place(restingBuy(`pb-open-${index}`));
    fake.place({ ...restingBuy('pb-canceled'), limit_price: '101' });
    fake.setStatus('pb-canceled', 'canceled');

    const open = await broker.listOpenOrders();

    const pages = fake.requests.filter(
      (request) => request.path === '/v2/orders' && request.method === 'GET',
    );
    expect(pages).toHaveLength(3);
    expect(pages[0]?.query).toMatchObject({
      status: 'open',
      direction: 'asc',
      limit: String(ORDER_PAGE_LIMIT),
    });
    expect(open).toHaveLength(count);
    expect(open[0]?.clientOrderId).toBe('pb-open-0');
    expect(open.at(-1)?.clientOrderId).toBe(`pb-open-${count - 1}`);
    expect(new Set(open.map((report) => report.clientOrderId)).size).toBe(count);
  });

  it('reports a partly filled open order with its fills, and a bracket once, under its entry', async () => {
    fake.place({ ...restingBuy('pb-partial'), qty: '10' });
    fake.fill('pb-partial', { qty: 3, price: 99 });
    fake.place({
      ...restingBuy('pb-bracket'),
      order_class: 'bracket',
      take_profit: { limit_price: '120' },
      stop_loss: { stop_price: '90' },
    });

    const open = await broker.listOpenOrders();

    expect(open.map((report) => report.clientOrderId)).toEqual(['pb-partial', 'pb-bracket']);
    expect(open[0]).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 3, avgFillPrice: 99 });
    expect(open[0]?.fills).toHaveLength(1);
  });
});

describe('listFillsSince', () => {
  it('lists every fill since the time, oldest first, over several activity pages', async () => {
    const count = ACTIVITY_PAGE_SIZE * 2 + 5;
    const market = { symbol: 'MSFT', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' };
    for (let index = 0; index < count; index += 1)
      fake.place({ ...market, client_order_id: `pb-fill-${index}` });
    const since = new Date(String(fake.activities[0]?.transaction_time));

    const fills = await broker.listFillsSince(since);

    const pages = fake.requests.filter((request) => request.path === '/v2/account/activities/FILL');
    expect(pages).toHaveLength(3);
    expect(pages[1]?.query.page_token).toBe(fake.activities[ACTIVITY_PAGE_SIZE - 1]?.id);
    expect(fills).toHaveLength(count);
    expect(fills.map((fill) => fill.fillId)).toEqual(fake.activities.map((activity) => activity.id));
    expect(fills[0]).toMatchObject({
      clientOrderId: 'pb-fill-0',
      symbol: 'MSFT',
      side: 'buy',
      qty: 1,
      price: 400,
    });
    expect(fills.map((fill) => fill.filledAt)).toEqual([...fills.map((fill) => fill.filledAt)].sort());
  });

  it('leaves out fills before the time', async () => {
    fake.place({ ...restingBuy('pb-old'), limit_price: '200' });
    const after = new Date(Date.parse(String(fake.activities[0]?.transaction_time)) + 1);

    expect(await broker.listFillsSince(after)).toEqual([]);
  });
});

describe('positions, account and clock', () => {
  it('reports a long position and a short one as a negative quantity', async () => {
    fake.place({ symbol: 'AAPL', qty: '5', side: 'buy', type: 'market', time_in_force: 'day' });
    fake.place({ symbol: 'MSFT', qty: '3', side: 'sell', type: 'market', time_in_force: 'day' });

    const positions = await broker.getPositions();

    expect(positions).toEqual([
      { symbol: 'AAPL', qty: 5, avgPrice: 190 },
      { symbol: 'MSFT', qty: -3, avgPrice: 400 },
    ]);
  });

  it('reports cash, equity and buying power, and a blocked account', async () => {
    fake.place({ symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', time_in_force: 'day' });
    fake.setPrice('AAPL', 200);
    fake.setTradingBlocked(true);

    const account = await broker.getAccount();

    expect(account).toEqual({
      cash: 10_000_000 - 1900,
      equity: 10_000_000 - 1900 + 2000,
      buyingPower: 10_000_000 - 1900,
      currency: 'USD',
      tradingBlocked: true,
    });
  });

  it('reads the market clock, in UTC', async () => {
    fake.setClock({
      isOpen: false,
      timestamp: '2026-11-23T20:15:22-05:00',
      nextOpen: '2026-11-24T09:30:00-05:00',
      nextClose: '2026-11-24T16:00:00-05:00',
    });

    const clock = await broker.getClock();

    expect(clock).toEqual({
      isOpen: false,
      timestamp: '2026-11-24T01:15:22.000Z',
      nextOpen: '2026-11-24T14:30:00.000Z',
      nextClose: '2026-11-24T21:00:00.000Z',
    });
  });

  it('finds no order for a client order id Alpaca never saw', async () => {
    expect(await broker.getOrder(asClientOrderId('pb-none'))).toBeUndefined();
  });
});
