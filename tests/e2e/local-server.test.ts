import { execFileSync } from 'node:child_process';
/**
 * `npm start` with no configuration at all, driven over HTTP the way TradingView and a user do. One
 * server serves the whole file; each test trades its own symbols so they cannot see each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsAnswer, OrdersAnswer, WebhookAnswer } from '../support/e2e-schemas.ts';
import { type LocalProcess, start } from '../support/local-process.ts';

describe('npm start with no configuration', () => {
  let server: LocalProcess | undefined;
  const running = (): LocalProcess => {
    if (!server) throw new Error('the server did not start');
    return server;
  };

  beforeAll(async () => {
    server = await start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  describe('start-up', () => {
    it('prints the webhook URL, generated secrets, a TradingView message and a curl line', () => {
      // Prepare
      const { webhookUrl, passphrase, apiToken, passphraseSource, apiTokenSource } = running();
      const output = running().output();

      // Act
      const message = /"Message" box\):\n\s+(\{.*\})\n/.exec(output)?.[1];
      const curl = /curl -s -X POST (\S+) -d '(.*)'/.exec(output);

      // Assess
      expect(webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
      expect(passphrase.length).toBeGreaterThanOrEqual(8);
      expect(apiToken.length).toBeGreaterThanOrEqual(16);
      expect([passphraseSource, apiTokenSource]).toEqual(['generated', 'generated']);
      expect(JSON.parse(message ?? 'null')).toMatchObject({ passphrase, symbol: '{{ticker}}' });
      expect(curl?.[1]).toBe(webhookUrl);
      expect(curl?.[2]).toContain(`"passphrase":"${passphrase}"`);
      expect(curl?.[2]).toContain('$(date -u +%Y-%m-%dT%H:%M:%SZ)');
    });

    it('answers GET /health with status ok', async () => {
      // Act
      const response = await fetch(`${running().url}/health`);

      // Assess
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    });

    it("accepts the test alert from the banner's curl line, run by a shell as a user would", () => {
      // Prepare: the line as printed, time stamp and all
      const line = /^\s*(curl -s -X POST .*)$/m.exec(running().output())?.[1] ?? '';

      // Act
      const answer = execFileSync('bash', ['-c', line], { encoding: 'utf8', timeout: 10_000 });

      // Assess
      expect(line).not.toBe('');
      expect(JSON.parse(answer)).toMatchObject({ status: 'accepted', orderId: expect.any(String) });
    });
  });

  describe('TradingView message shapes', () => {
    // Alerts older than risk.maxAlertAgeSeconds are denied: each body is stamped when its test sends it.
    const shapes: Array<{
      name: string;
      symbol: string;
      qty: number;
      body: (passphrase: string, time: string) => unknown;
    }> = [
      {
        name: 'flat JSON with numbers as strings',
        symbol: 'TVFLAT',
        qty: 10,
        body: (passphrase, time) => ({
          passphrase,
          ticker: 'TVFLAT',
          action: 'buy',
          sentiment: 'long',
          quantity: '10',
          price: '189.52',
          time,
          interval: '5',
        }),
      },
      {
        name: 'nested bar and strategy template',
        symbol: 'TVNEST',
        qty: 7,
        body: (passphrase, time) => ({
          passphrase,
          time,
          exchange: 'NASDAQ',
          ticker: 'TVNEST',
          bar: { time, open: 189.1, high: 190, low: 188.7, close: 189.5, volume: 12_000 },
          strategy: {
            position_size: 7,
            order_action: 'buy',
            order_contracts: 7,
            order_price: 189.5,
            order_id: 'Long Entry',
            market_position: 'long',
            market_position_size: 7,
            prev_market_position: 'flat',
            prev_market_position_size: 0,
          },
        }),
      },
      {
        name: 'minimal symbol, side and qty',
        symbol: 'TVMIN',
        qty: 10,
        body: (passphrase) => ({ passphrase, symbol: 'TVMIN', side: 'BUY', qty: 10, price: 42.5 }),
      },
      {
        name: 'plain text key=value separated by spaces',
        symbol: 'TVTEXT',
        qty: 3,
        body: (passphrase) => `passphrase=${passphrase} symbol=TVTEXT action=buy quantity=3 price=101.25`,
      },
      {
        name: 'plain text key=value one per line',
        symbol: 'TVLINES',
        qty: 4,
        body: (passphrase) => `passphrase=${passphrase}\nsymbol=TVLINES\naction=buy\nquantity=4\nprice=55`,
      },
    ];

    it.each(shapes)('turns the $name message into an accepted order', async ({ symbol, qty, body }) => {
      // Prepare
      const sent = body(running().passphrase, new Date().toISOString());

      // Act
      const answer = await running().webhook(sent);

      // Assess
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toMatchObject({
        status: 'accepted',
        orderId: expect.any(String),
        side: 'buy',
        qty,
      });
      const orders = OrdersAnswer.parse((await running().api('/api/orders?limit=500')).json).orders;
      expect(orders.filter((order) => order.symbol === symbol)).toHaveLength(1);
    });
  });

  describe('resends and duplicates', () => {
    it('answers four deliveries of one body with one order and three duplicates', async () => {
      // Prepare
      const body = JSON.stringify({
        passphrase: running().passphrase,
        symbol: 'DUPSEQ',
        action: 'buy',
        quantity: 2,
        price: 20,
        time: new Date().toISOString(),
      });

      // Act
      const answers = [];
      for (let delivery = 0; delivery < 4; delivery += 1) answers.push(await running().webhook(body));

      // Assess
      const statuses = answers.map((answer) => WebhookAnswer.parse(answer.json).status);
      expect(statuses).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate']);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      const orders = OrdersAnswer.parse((await running().api('/api/orders?limit=500')).json).orders;
      expect(orders.filter((order) => order.symbol === 'DUPSEQ')).toHaveLength(1);
    });

    it('answers ten concurrent deliveries of one body with one order and nine duplicates', async () => {
      // Prepare
      const body = JSON.stringify({
        passphrase: running().passphrase,
        symbol: 'DUPCON',
        action: 'buy',
        quantity: 3,
        price: 30,
        time: new Date().toISOString(),
      });

      // Act
      const answers = await Promise.all(Array.from({ length: 10 }, () => running().webhook(body)));

      // Assess
      const parsed = answers.map((answer) => WebhookAnswer.parse(answer.json));
      expect(parsed.filter((answer) => answer.status === 'accepted')).toHaveLength(1);
      expect(parsed.filter((answer) => answer.status === 'duplicate')).toHaveLength(9);
      const accepted = parsed.find((answer) => answer.status === 'accepted');
      const orders = OrdersAnswer.parse((await running().api('/api/orders?limit=500')).json).orders;
      const mine = orders.filter((order) => order.symbol === 'DUPCON');
      expect(mine.map((order) => order.clientOrderId)).toEqual([accepted?.orderId]);
    });
  });

  describe('the alert log', () => {
    it('records every delivery with its decision, refused ones included', async () => {
      // Prepare
      const { passphrase } = running();
      const deliveries: Array<{ body: unknown; http: number; status: string; code?: string }> = [
        {
          body: { passphrase: 'not-the-passphrase', symbol: 'LOGA', action: 'buy', quantity: 1, price: 10 },
          http: 401,
          status: 'unauthorized',
        },
        { body: 'symbol=LOGA action=buy quantity=1 price=10', http: 401, status: 'unauthorized' },
        {
          body: `{"passphrase":"${passphrase}","symbol":"LOGA","action":"buy","quantity":,"price":10}`,
          http: 400,
          status: 'invalid',
        },
        { body: { passphrase, symbol: 'LOGA', action: 'hold', quantity: 1 }, http: 400, status: 'invalid' },
        {
          body: `passphrase=${passphrase} symbol=LOGA action=buy quantity={{strategy.order.contracts}}`,
          http: 400,
          status: 'invalid',
        },
        {
          body: { passphrase, symbol: 'LOGA', action: 'sell', quantity: 1, price: 10 },
          http: 422,
          status: 'denied',
          code: 'NO_POSITION',
        },
        {
          body: { passphrase, symbol: 'LOGA', action: 'buy', quantity: 1, price: 10 },
          http: 200,
          status: 'accepted',
        },
      ];

      // Act
      const answers = [];
      for (const delivery of deliveries) answers.push(await running().webhook(delivery.body));
      const alerts = AlertsAnswer.parse((await running().api('/api/alerts?limit=500')).json).alerts;

      // Assess
      expect(answers.map((answer) => answer.status)).toEqual(deliveries.map((delivery) => delivery.http));
      const recorded = answers.map((answer) => {
        const { alertId } = WebhookAnswer.parse(answer.json);
        const record = alerts.find((alert) => alert.alertId === alertId);
        return { http: record?.httpStatus, status: record?.status, code: record?.code };
      });
      expect(recorded).toEqual(deliveries.map(({ http, status, code }) => ({ http, status, code })));
    });

    it('never shows the passphrase in the alert log or the server log', async () => {
      // Prepare
      const { passphrase } = running();
      await running().webhook(`{"passphrase":"${passphrase}","symbol":"LOGB","action":"buy","quantity":}`);
      await running().webhook(`passphrase = "${passphrase}"; symbol=LOGB; action=hold`);
      await running().webhook({ secret: passphrase, symbol: 'LOGB', action: 'sell', quantity: 1, price: 5 });
      // Shapes the body reader cannot make sense of still carry the real passphrase.
      await running().webhook(`passphrase: ${passphrase}\nsymbol: LOGB\naction: buy`);
      await running().webhook({ password: passphrase, symbol: 'LOGB', action: 'buy', quantity: 1 });
      await running().webhook(`{'passphrase': '${passphrase}', 'symbol': 'LOGB'}`);
      await running().webhook(`${passphrase},buy,LOGB,risk=1,sl=10,tp=20`);

      // Act
      const alerts = await running().api('/api/alerts?limit=500');

      // Assess
      expect(alerts.status).toBe(200);
      const records = AlertsAnswer.parse(alerts.json).alerts;
      expect(records.length).toBeGreaterThan(10);
      expect(records.filter((record) => JSON.stringify(record).includes(passphrase))).toEqual([]);
      expect(alerts.text).not.toContain(passphrase);
      const afterBanner = running().output().split('or put a tunnel in front of this port')[1] ?? '';
      expect(afterBanner).toContain('alert answered');
      expect(afterBanner).not.toContain(passphrase);
    });
  });

  describe('the API', () => {
    const reads = ['/api/account', '/api/positions', '/api/orders', '/api/alerts'];

    it.each(reads)('refuses GET %s without a token or with a wrong one', async (path) => {
      // Act
      const without = await fetch(`${running().url}${path}`);
      const wrong = await fetch(`${running().url}${path}`, {
        headers: { authorization: `Bearer ${running().passphrase}` },
      });

      // Assess
      expect([without.status, wrong.status]).toEqual([401, 401]);
      expect(await without.json()).toMatchObject({ status: 'unauthorized' });
    });

    it('refuses POST /api/reconcile without a token', async () => {
      // Act
      const response = await fetch(`${running().url}/api/reconcile`, { method: 'POST' });

      // Assess
      expect(response.status).toBe(401);
    });

    it('answers GET /api/account with the token', async () => {
      // Act
      const response = await running().api('/api/account');

      // Assess
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ account: { broker: 'paper', tradingState: 'ACTIVE' } });
    });
  });
});

describe('npm start with an invalid setting', () => {
  it('exits before serving and names the setting', async () => {
    // Act
    const started = start({ PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: 'many' });

    // Assess
    await expect(started).rejects.toThrow(/exited before printing its banner[\s\S]*risk\.maxOpenPositions/);
  }, 60_000);
});
