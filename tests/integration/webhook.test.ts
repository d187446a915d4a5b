import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, PASSPHRASE, startHarness, TRADINGVIEW_IP } from '../support/app-harness.ts';
import { ScriptedBroker } from '../support/scripted-broker.ts';

describe('POST /webhook answers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      sourceIp: TRADINGVIEW_IP,
      env: {
        PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__ENABLED: 'true',
        PINEBRIDGE__WEBHOOK__MAX_BODY_BYTES: '512',
        PINEBRIDGE__RISK__MAX_ORDER_QTY: '500',
      },
    });
  });
  afterEach(() => h.setSourceIp(TRADINGVIEW_IP));
  afterAll(() => h.close());

  it('accepts an alert and answers with the order the paper broker filled', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(200);
    expect(answer).toMatchObject({
      status: 'accepted',
      orderId: `pb-${answer.alertId}-1`,
      orderIds: [`pb-${answer.alertId}-1`],
      orderStatus: 'FILLED',
      side: 'buy',
      qty: 10,
      filledQty: 10,
      avgFillPrice: 100.02,
    });
    const order = await h.deps.orders.get(answer.orderId ?? '');
    expect(order).toMatchObject({ status: 'FILLED', settled: true, filledQty: 10 });
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'AAPL', qty: 10 }));
  });

  it('answers a resend of the same body as a duplicate of the first delivery', async () => {
    // Prepare
    const body = h.alert({
      symbol: 'MSFT',
      action: 'buy',
      quantity: 2,
      price: 400,
      time: new Date().toISOString(),
    });
    const first = await h.post(body);

    // Act
    const second = await h.post(body);

    // Assess
    expect(first.answer.status).toBe('accepted');
    expect(second.status).toBe(200);
    expect(second.answer).toMatchObject({ status: 'duplicate', duplicateOf: first.answer.alertId });
    expect(second.answer.alertId).not.toBe(first.answer.alertId);
    const orders = (await h.orders()).filter((order) => order.symbol === 'MSFT');
    expect(orders).toHaveLength(1);
  });

  it('answers 400 naming each wrong field as the sender wrote it', async () => {
    // Prepare
    const body = h.alert({ ticker: 'AAPL', side: 'hold', qty: 'ten' });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(400);
    expect(answer.status).toBe('invalid');
    expect(answer.errors?.map((error) => error.field).sort()).toEqual(['qty', 'side']);
  });

  it('answers 400 for broken JSON that carries the right passphrase', async () => {
    // Prepare: an unquoted numeric placeholder that rendered empty
    const body = `{"passphrase":"${PASSPHRASE}","symbol":"AAPL","action":"buy","quantity": }`;

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(400);
    expect(answer.errors).toEqual([{ field: 'body', message: expect.stringContaining('not valid JSON') }]);
  });

  it('answers 401 to a wrong passphrase and stores the body with the secret masked', async () => {
    // Prepare
    const guessed = 'guessed-secret-123';
    const body = JSON.stringify({ passphrase: guessed, symbol: 'AAPL', action: 'buy', quantity: 1 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(401);
    expect(answer.status).toBe('unauthorized');
    const listed = (await h.alerts()).find((alert) => alert.alertId === answer.alertId);
    expect(listed).toMatchObject({ status: 'unauthorized', httpStatus: 401 });
    expect(listed?.body).toContain('"passphrase":"***"');
    expect((await h.api('/alerts?limit=500')).text).not.toContain(guessed);
  });

  it('answers 403 to a source outside the allowlist, even with the right passphrase', async () => {
    // Prepare
    h.setSourceIp('203.0.113.7');
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(403);
    expect(answer.status).toBe('forbidden');
    const listed = (await h.alerts()).find((alert) => alert.alertId === answer.alertId);
    expect(listed).toMatchObject({ status: 'forbidden', httpStatus: 403, sourceIp: '203.0.113.7' });
  });

  it('answers 413 to a body over the size limit without reading it', async () => {
    // Prepare
    const body = h.alert({
      symbol: 'AAPL',
      action: 'buy',
      quantity: 1,
      price: 100,
      comment: 'x'.repeat(600),
    });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(413);
    expect(answer).toMatchObject({ status: 'too_large', message: 'body larger than 512 bytes' });
  });

  it('denies an order over the quantity limit with the code and the numbers', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AMZN', action: 'buy', quantity: 600, price: 10 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(422);
    expect(answer).toMatchObject({ status: 'denied', code: 'MAX_ORDER_QTY', limit: 500, requested: 600 });
    expect(answer.orderId).toBeUndefined();
    expect((await h.orders()).filter((order) => order.symbol === 'AMZN')).toEqual([]);
  });

  it('answers 422 rejected when the paper broker has no price, and releases the reservation', async () => {
    // Prepare: a market order for a symbol never seen, without a price
    const body = h.alert({ symbol: 'NFLX', action: 'buy', quantity: 5 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(422);
    expect(answer).toMatchObject({ status: 'rejected', code: 'NO_PRICE' });
    expect(await h.deps.orders.get(answer.orderId ?? '')).toMatchObject({
      status: 'REJECTED',
      settled: true,
    });
    const book = await h.deps.book.get();
    expect(book.symbols.NFLX?.committed ?? 0).toBe(0);
    expect(book.openSymbols).not.toContain('NFLX');
  });

  it('answers 422 rejected when a buy costs more than the paper cash', async () => {
    // Prepare: 400 x 1000 is four times the starting cash
    const body = h.alert({ symbol: 'NVDA', action: 'buy', quantity: 400, price: 1000 });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(422);
    expect(answer).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_BUYING_POWER' });
    const book = await h.deps.book.get();
    expect(book.openSymbols).not.toContain('NVDA');
    expect(book.exposure).toBe(
      Object.values(book.symbols).reduce((sum, s) => sum + Math.abs(s.position.qty) * s.position.avgPrice, 0),
    );
  });

  it('turns a plain-text key=value body into an order', async () => {
    // Prepare
    const body = `passphrase=${PASSPHRASE}\nsymbol=AMD\naction=buy\nquantity=3\nprice=120`;

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', side: 'buy', filledQty: 3 });
    const listed = (await h.alerts()).find((alert) => alert.alertId === answer.alertId);
    expect(listed?.body).toBe('passphrase=***\nsymbol=AMD\naction=buy\nquantity=3\nprice=120');
  });

  it('turns the nested strategy and bar template into an order', async () => {
    // Prepare
    const fired = new Date();
    const barOpen = new Date(fired.getTime() - 65_000);
    const body = h.alert({
      time: fired.toISOString(),
      exchange: 'NASDAQ',
      ticker: 'INTC',
      bar: { time: barOpen.toISOString(), open: 30, high: 31, low: 29.5, close: 30.5, volume: 1000 },
      strategy: {
        position_size: 7,
        order_action: 'buy',
        order_contracts: 7,
        order_price: 30.5,
        order_id: 'Long Entry',
        market_position: 'long',
        market_position_size: 7,
        prev_market_position: 'flat',
        prev_market_position_size: 0,
      },
    });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', side: 'buy', qty: 7, filledQty: 7 });
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'INTC', qty: 7 }));
  });

  it('keeps the read API behind the API token', async () => {
    // Prepare
    const wrong = { authorization: 'Bearer not-the-token-at-all' };

    // Act
    const without = await h.app.request('/api/alerts');
    const withWrong = await h.app.request('/api/positions', { headers: wrong });
    const reconcile = await h.app.request('/api/reconcile', { method: 'POST', headers: wrong });
    const withToken = await h.api('/account');

    // Assess
    expect([without.status, withWrong.status, reconcile.status]).toEqual([401, 401, 401]);
    expect(withToken.status).toBe(200);
    expect(withToken.text).not.toContain(PASSPHRASE);
  });

  it('lists every delivery with its decision and never shows or logs the passphrase', async () => {
    // Prepare
    const accepted = h.alert({ symbol: 'ORCL', action: 'buy', quantity: 1, price: 150 });
    const deliveries = [
      accepted,
      accepted,
      h.alert({ symbol: 'ORCL', action: 'explode' }),
      JSON.stringify({ passphrase: 'wrong-passphrase', symbol: 'ORCL', action: 'buy', quantity: 1 }),
      h.alert({ symbol: 'ORCL', action: 'buy', quantity: 501, price: 1 }),
      h.alert({ symbol: 'PYPL', action: 'buy', quantity: 1 }),
      h.alert({ symbol: 'ORCL', action: 'buy', quantity: 1, comment: 'y'.repeat(600) }),
    ];

    // Act
    const answers = [];
    for (const body of deliveries) answers.push(await h.post(body));
    h.setSourceIp('198.51.100.1');
    answers.push(await h.post(accepted));
    const listed = await h.alerts();
    const listedText = (await h.api('/alerts?limit=500')).text;

    // Assess
    expect(answers.map((a) => `${a.status} ${a.answer.status}`)).toEqual([
      '200 accepted',
      '200 duplicate',
      '400 invalid',
      '401 unauthorized',
      '422 denied',
      '422 rejected',
      '413 too_large',
      '403 forbidden',
    ]);
    for (const { status, answer } of answers) {
      const found = listed.find((alert) => alert.alertId === answer.alertId);
      expect(found, `delivery ${answer.alertId} (${answer.status})`).toMatchObject({
        status: answer.status,
        httpStatus: status,
      });
    }
    expect(listedText).not.toContain(PASSPHRASE);
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(PASSPHRASE);
  });
});

describe('POST /webhook when the broker does not answer before the deadline', () => {
  const broker = new ScriptedBroker();
  let h: Harness;
  beforeAll(async () => {
    broker.mode = 'hang';
    h = await startHarness({
      env: { PINEBRIDGE__WEBHOOK__DEADLINE_MS: '300' },
      broker: (paper) => broker.over(paper),
    });
  });
  afterAll(() => h.close());

  it('answers 202 pending in time, keeps the reservation, and the resend stays a duplicate', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100 });
    const started = performance.now();

    // Act
    const first = await h.post(body);
    const elapsedMs = performance.now() - started;
    const resend = await h.post(body);

    // Assess
    expect(first.status).toBe(202);
    expect(first.answer).toMatchObject({ status: 'pending', orderId: `pb-${first.answer.alertId}-1` });
    expect(elapsedMs).toBeLessThan(3000);
    expect(resend.answer).toMatchObject({ status: 'duplicate', duplicateOf: first.answer.alertId });
    expect(broker.submitted).toHaveLength(1);
    const order = await h.deps.orders.get(first.answer.orderId ?? '');
    expect(order).toMatchObject({ status: 'IN_FLIGHT', settled: false });
    const book = await h.deps.book.get();
    expect(book.symbols.AAPL?.committed).toBe(10);
    expect(book.openSymbols).toEqual(['AAPL']);
    const statuses = (await h.alerts()).map((alert) => alert.status).sort();
    expect(statuses).toEqual(['duplicate', 'pending']);
  });
});

describe('POST /webhook when the broker is unreachable', () => {
  const broker = new ScriptedBroker();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ broker: (paper) => broker.over(paper) });
  });
  afterAll(() => h.close());

  it('answers 503, keeps nothing reserved and processes the identical resend again', async () => {
    // Prepare
    broker.mode = 'down';
    const body = h.alert({ symbol: 'TSLA', action: 'buy', quantity: 4, price: 250 });
    const first = await h.post(body);
    broker.mode = 'forward';

    // Act
    const resend = await h.post(body);

    // Assess
    expect(first.status).toBe(503);
    expect(first.answer.status).toBe('unavailable');
    expect(await h.deps.orders.get(first.answer.orderId ?? '')).toMatchObject({
      status: 'REJECTED',
      settled: true,
      reason: expect.stringContaining('broker unavailable'),
    });
    expect(resend.status).toBe(200);
    expect(resend.answer).toMatchObject({ status: 'accepted', filledQty: 4 });
    const book = await h.deps.book.get();
    expect(book.symbols.TSLA).toMatchObject({ committed: 4, position: expect.objectContaining({ qty: 4 }) });
    const listed = await h.alerts();
    expect(listed.find((alert) => alert.alertId === first.answer.alertId)?.status).toBe('unavailable');
    expect(listed.find((alert) => alert.alertId === resend.answer.alertId)?.status).toBe('accepted');
  });
});
