/**
 * `npm start` with BROKER=alpaca against the Alpaca fake, driven over HTTP the way TradingView and a
 * user do. One server and one fake serve the whole file; each test trades its own symbols. The
 * server's reconcile timer is set to an hour so that every reconcile pass here is one the test asks
 * for. The fake checks every request against Alpaca's OpenAPI spec; the last test asserts none broke it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AlpacaFake, startAlpacaFake } from '../support/alpaca-fake/index.ts';
import { OrdersAnswer, PositionsAnswer, WebhookAnswer } from '../support/e2e-schemas.ts';
import { type LocalProcess, start } from '../support/local-process.ts';

const PRICES = { AAPL: 190, MSFT: 410, AMD: 120, NVDA: 95, TSLA: 250 };

/** A position as the fake's GET /v2/positions renders it (decimals are strings). */
const FakePositions = z.array(
  z.looseObject({ symbol: z.string(), qty: z.string(), avg_entry_price: z.string() }),
);

const HealthAnswer = z.looseObject({
  status: z.string(),
  broker: z.looseObject({ name: z.string() }),
  accounts: z.array(z.looseObject({ accountId: z.string(), broker: z.string() })),
});

const ReconcileAnswer = z.looseObject({
  report: z.looseObject({ ordersSettled: z.number(), errors: z.array(z.unknown()) }).nullable(),
});

describe('npm start with BROKER=alpaca', () => {
  let fake: AlpacaFake;
  let server: LocalProcess | undefined;
  const running = (): LocalProcess => {
    if (!server) throw new Error('the server did not start');
    return server;
  };

  beforeAll(async () => {
    fake = await startAlpacaFake({ prices: PRICES, cash: 1_000_000 });
    server = await start({
      BROKER: 'alpaca',
      APCA_API_KEY_ID: fake.keyId,
      APCA_API_SECRET_KEY: fake.secretKey,
      APCA_API_BASE_URL: fake.url,
      PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false',
      PINEBRIDGE__RECONCILE__INTERVAL_SECONDS: '3600',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  }, 60_000);

  /** Sends a JSON alert with the banner's passphrase, stamped now. */
  const alert = (fields: Record<string, unknown>) =>
    running().webhook({ passphrase: running().passphrase, time: new Date().toISOString(), ...fields });

  /** The positions the fake holds, by symbol: quantity and average entry price. */
  const fakePositions = async (): Promise<Map<string, { qty: number; avgPrice: number }>> => {
    const response = await fetch(`${fake.url}/v2/positions`, {
      headers: { 'APCA-API-KEY-ID': fake.keyId, 'APCA-API-SECRET-KEY': fake.secretKey },
    });
    const positions = FakePositions.parse(await response.json());
    return new Map(
      positions.map((p) => [p.symbol, { qty: Number(p.qty), avgPrice: Number(p.avg_entry_price) }]),
    );
  };

  /** The positions GET /api/positions shows, by symbol: quantity and average price. */
  const ourPositions = async (): Promise<Map<string, { qty: number; avgPrice: number }>> => {
    const answer = await running().api('/api/positions');
    const positions = PositionsAnswer.extend({
      positions: z.array(z.looseObject({ symbol: z.string(), qty: z.number(), avgPrice: z.number() })),
    }).parse(answer.json).positions;
    return new Map(positions.map((p) => [p.symbol, { qty: p.qty, avgPrice: p.avgPrice }]));
  };

  /** Runs one reconcile pass over POST /api/reconcile. */
  const reconcile = async () => {
    const answer = await running().api('/api/reconcile', { method: 'POST' });
    expect(answer.status, answer.text).toBe(200);
    return ReconcileAnswer.parse(answer.json);
  };

  /** Our order record with this client order id, as GET /api/orders lists it. */
  const ourOrder = async (clientOrderId: string) => {
    const orders = OrdersAnswer.parse((await running().api('/api/orders?limit=500')).json).orders;
    return orders.find((order) => order.clientOrderId === clientOrderId);
  };

  it('answers GET /health naming alpaca as the broker', async () => {
    // Act
    const response = await fetch(`${running().url}/health`);

    // Assess
    expect(response.status).toBe(200);
    const health = HealthAnswer.parse(await response.json());
    expect(health.status).toBe('ok');
    expect(health.broker.name).toBe('alpaca');
    expect(health.accounts.map((account) => account.broker)).toEqual(['alpaca']);
  });

  it('accepts a buy alert and places the order at Alpaca under our client order id', async () => {
    // Act
    const answer = await alert({ symbol: 'AAPL', action: 'buy', quantity: 5 });

    // Assess
    expect(answer.status, answer.text).toBe(200);
    const { status, orderId } = WebhookAnswer.parse(answer.json);
    expect(status).toBe('accepted');
    const atAlpaca = fake.orders.filter((order) => order.symbol === 'AAPL');
    expect(atAlpaca.map((order) => [order.client_order_id, order.side, order.qty, order.status])).toEqual([
      [orderId, 'buy', '5', 'filled'],
    ]);
  });

  it('shows, after a reconcile pass, the positions Alpaca holds', async () => {
    // Prepare
    await alert({ symbol: 'MSFT', action: 'buy', quantity: 2 });
    await alert({ symbol: 'MSFT', action: 'buy', quantity: 1 });

    // Act
    const { report } = await reconcile();

    // Assess
    expect(report?.errors).toEqual([]);
    const theirs = await fakePositions();
    expect(theirs.get('MSFT')).toEqual({ qty: 3, avgPrice: PRICES.MSFT });
    expect(await ourPositions()).toEqual(theirs);
  });

  it('answers a resend of the same alert as a duplicate and sends Alpaca one order', async () => {
    // Prepare
    const body = {
      passphrase: running().passphrase,
      symbol: 'AMD',
      action: 'buy',
      quantity: 4,
      time: new Date().toISOString(),
    };
    const first = await running().webhook(body);

    // Act
    const resend = await running().webhook(body);

    // Assess
    expect(WebhookAnswer.parse(first.json).status).toBe('accepted');
    expect(resend.status, resend.text).toBe(200);
    expect(WebhookAnswer.parse(resend.json).status).toBe('duplicate');
    expect(fake.orders.filter((order) => order.symbol === 'AMD')).toHaveLength(1);
    const posts = fake.requests.filter(
      (request) =>
        request.method === 'POST' &&
        request.path === '/v2/orders' &&
        JSON.stringify(request.body).includes('"AMD"'),
    );
    expect(posts).toHaveLength(1);
  });

  it('settles on the next reconcile pass an order Alpaca filled after leaving it resting', async () => {
    // Prepare: Alpaca takes the order but does not fill it
    fake.setFillMode('manual');
    let answer: Awaited<ReturnType<typeof alert>>;
    try {
      answer = await alert({ symbol: 'NVDA', action: 'buy', quantity: 3 });
    } finally {
      fake.setFillMode('immediate');
    }
    const { status, orderId } = WebhookAnswer.parse(answer.json);
    if (orderId === undefined) throw new Error(`the alert made no order: ${answer.text}`);
    const resting = { ours: await ourOrder(orderId), theirs: fake.order(orderId)?.status };
    const positionsWhileResting = { ours: await ourPositions(), theirs: await fakePositions() };
    fake.fill(orderId, { price: 96.5 });

    // Act
    const { report } = await reconcile();

    // Assess
    expect(status).toBe('accepted');
    expect(resting.theirs).toBe('new');
    expect(resting.ours).toMatchObject({ status: 'ACCEPTED', filledQty: 0 });
    expect(positionsWhileResting.ours.has('NVDA')).toBe(false);
    expect(positionsWhileResting.theirs.has('NVDA')).toBe(false);
    expect(report?.ordersSettled).toBe(1);
    expect((await ourOrder(orderId))?.status).toBe('FILLED');
    expect((await ourPositions()).get('NVDA')).toEqual({ qty: 3, avgPrice: 96.5 });
    expect((await fakePositions()).get('NVDA')).toEqual({ qty: 3, avgPrice: 96.5 });
  });

  it('closes the position at Alpaca on an exit alert', async () => {
    // Prepare
    await alert({ symbol: 'TSLA', action: 'buy', quantity: 4 });
    const held = (await fakePositions()).get('TSLA');

    // Act
    const answer = await alert({ symbol: 'TSLA', action: 'exit' });
    const { report } = await reconcile();

    // Assess
    expect(held?.qty).toBe(4);
    expect(answer.status, answer.text).toBe(200);
    expect(WebhookAnswer.parse(answer.json).status).toBe('accepted');
    const sells = fake.orders.filter((order) => order.symbol === 'TSLA' && order.side === 'sell');
    expect(sells.map((order) => [order.qty, order.status])).toEqual([['4', 'filled']]);
    expect(report?.errors).toEqual([]);
    expect((await fakePositions()).has('TSLA')).toBe(false);
    expect((await ourPositions()).has('TSLA')).toBe(false);
  });

  it('sends Alpaca only requests its published spec allows', () => {
    // Assess
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.violations).toEqual([]);
  });
});
