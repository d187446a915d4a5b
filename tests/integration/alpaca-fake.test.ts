/**
 * The Alpaca fake itself, over raw HTTP: it refuses and records requests that break Alpaca's
 * spec, its answers keep the spec, and it models what Alpaca documents (unique client order ids,
 * exit legs, pagination, auth).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AlpacaFake, SpecValidator, startAlpacaFake } from '../support/alpaca-fake/index.ts';

let fake: AlpacaFake;

beforeEach(async () => {
  fake = await startAlpacaFake({ prices: { AAPL: 190 } });
});

afterEach(async () => {
  await fake.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      'APCA-API-KEY-ID': fake.keyId,
      'APCA-API-SECRET-KEY': fake.secretKey,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

const WithIds = z.array(z.object({ id: z.string() }));
const Placed = z.object({
  id: z.string(),
  legs: z.array(z.object({ id: z.string(), type: z.string(), status: z.string() })),
});

function idsOf(json: unknown): string[] {
  return WithIds.parse(json).map((entry) => entry.id);
}

const BUY = {
  symbol: 'AAPL',
  qty: '1',
  side: 'buy',
  type: 'limit',
  limit_price: '100',
  time_in_force: 'gtc',
};

describe('validation against the spec', () => {
  it('refuses a numeric qty with 422 and records the violation', async () => {
    const answer = await call('POST', '/v2/orders', { ...BUY, qty: 1 });

    expect(answer.status).toBe(422);
    expect(fake.violations).toEqual([
      {
        kind: 'request',
        method: 'POST',
        path: '/v2/orders',
        errors: [expect.stringContaining('body/qty must be string')],
      },
    ]);
    expect(fake.orders).toEqual([]);
  });

  it('refuses an order type the spec does not list, and a property it does not know', async () => {
    await call('POST', '/v2/orders', { ...BUY, type: 'market_on_close', qty_typo: '1' });

    const errors = fake.violations.flatMap((violation) => violation.errors).join('\n');
    expect(errors).toContain('body/type must be equal to one of the allowed values');
    expect(errors).toContain('qty_typo');
  });

  it('refuses undeclared or mistyped query parameters, a bad path parameter, and unknown paths', async () => {
    await call('GET', '/v2/orders?status=working&limit=ten&page_token=x');
    await call('GET', '/v2/account/activities/FILL?page_size=500&after=2026-11-23');
    await call('GET', '/v2/orders/not-a-uuid');
    await call('GET', '/v2/order');

    const errors = fake.violations.flatMap((violation) => violation.errors);
    expect(errors).toEqual([
      expect.stringContaining('query parameter status must be equal to one of the allowed values'),
      expect.stringContaining('query parameter limit must be integer'),
      'query parameter page_token is not in the spec',
      expect.stringContaining('query parameter after must match format "date-time"'),
      expect.stringContaining('query parameter page_size must be <= 100'),
      expect.stringContaining('path parameter order_id must match format "uuid"'),
      'GET /v2/order is not in the spec',
    ]);
  });

  it('answers 401 without the key headers', async () => {
    const response = await fetch(`${fake.url}/v2/account`);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 40110000, message: 'request is not authorized' });
  });

  it('catches an answer that breaks the response schema', () => {
    const validator = SpecValidator.fromFile(
      new URL('../support/alpaca-fake/trading-api.json', import.meta.url),
    );
    const order = { ...fake.place(BUY), qty: 1, status: 'working' };

    const errors = validator.checkResponse('GET', '/v2/orders/{order_id}', 200, order);

    expect(errors).toEqual([
      expect.stringContaining('/qty must be string,null'),
      expect.stringContaining('/status'),
    ]);
  });
});

describe('behaviour', () => {
  it('keeps a client order id used, even after the order is canceled', async () => {
    const first = await call('POST', '/v2/orders', { ...BUY, client_order_id: 'pb-once' });
    const { id } = z.object({ id: z.string() }).parse(first.json);
    const canceled = await call('DELETE', `/v2/orders/${id}`);

    const reused = await call('POST', '/v2/orders', { ...BUY, client_order_id: 'pb-once' });
    const again = await call('DELETE', `/v2/orders/${id}`);

    expect(canceled.status).toBe(204);
    expect(reused).toEqual({
      status: 422,
      json: { code: 42210000, message: 'client_order_id must be unique' },
    });
    expect(again).toEqual({
      status: 422,
      json: { code: 42210000, message: 'order is already in "canceled" state' },
    });
    expect(fake.violations).toEqual([]);
  });

  it('cancels the other exit of a bracket when one fills', async () => {
    fake.place({
      ...BUY,
      client_order_id: 'pb-b',
      order_class: 'bracket',
      take_profit: { limit_price: '120' },
      stop_loss: { stop_price: '90' },
    });
    fake.fill('pb-b');
    const [takeProfit, stopLoss] = fake.order('pb-b')?.legs ?? [];

    fake.fill(takeProfit?.id ?? '');

    expect(fake.order(takeProfit?.id ?? '')?.status).toBe('filled');
    expect(fake.order(stopLoss?.id ?? '')?.status).toBe('canceled');
  });

  it('places an OCO exit whose stop leg works beside it, and ends the limit when the stop fills', async () => {
    fake.place({ symbol: 'AAPL', qty: '2', side: 'buy', type: 'market', time_in_force: 'day' });
    const oco = {
      ...BUY,
      qty: '2',
      side: 'sell',
      limit_price: '220',
      order_class: 'oco',
      take_profit: { limit_price: '220' },
      stop_loss: { stop_price: '170' },
    };

    const placed = await call('POST', '/v2/orders', oco);
    const parent = Placed.parse(placed.json);
    fake.fill(parent.legs[0]?.id ?? '', { price: 169.5 });

    expect(parent.legs.map((leg) => [leg.type, leg.status])).toEqual([['stop', 'new']]);
    expect(fake.order(parent.id)?.status).toBe('canceled');
    expect(fake.violations).toEqual([]);
  });

  it('pages FILL activities by page_token', async () => {
    for (let index = 0; index < 5; index += 1)
      fake.place({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' });

    const first = await call('GET', '/v2/account/activities/FILL?direction=asc&page_size=2');
    const firstIds = idsOf(first.json);
    const second = await call(
      'GET',
      `/v2/account/activities/FILL?direction=asc&page_size=2&page_token=${firstIds[1]}`,
    );

    const all = fake.activities.map((activity) => activity.id);
    expect(firstIds).toEqual(all.slice(0, 2));
    expect(idsOf(second.json)).toEqual(all.slice(2, 4));
    expect(fake.violations).toEqual([]);
  });

  it('pages orders by after/until and after_order_id, newest first by default', async () => {
    const ids = [0, 1, 2].map((index) => fake.place({ ...BUY, client_order_id: `pb-page-${index}` }).id);

    const newest = await call('GET', '/v2/orders?limit=2');
    const after = await call('GET', `/v2/orders?direction=asc&after_order_id=${ids[0]}`);
    const mixed = await call('GET', `/v2/orders?after_order_id=${ids[0]}&after=2026-01-01T00:00:00Z`);

    expect(idsOf(newest.json)).toEqual([ids[2], ids[1]]);
    expect(idsOf(after.json)).toEqual([ids[1], ids[2]]);
    expect(mixed.status).toBe(422);
  });
});
