/**
 * State survives a restart: a second `npm start` over the first one's data directory, with no
 * secrets in the environment, reuses the generated secrets and serves the earlier positions, orders
 * and alerts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsAnswer, OrdersAnswer, PositionsAnswer, WebhookAnswer } from '../support/e2e-schemas.ts';
import { type LocalProcess, start } from '../support/local-process.ts';

describe('npm start again over the same data directory', () => {
  let first: LocalProcess | undefined;
  let second: LocalProcess | undefined;
  const resent = { symbol: 'RSTA', action: 'buy', quantity: 10, price: 50, time: new Date().toISOString() };
  const before = { positions: '', orders: '', alerts: '', alertIds: [] as string[] };
  const running = (): LocalProcess => {
    if (!second) throw new Error('the server did not restart');
    return second;
  };

  beforeAll(async () => {
    first = await start();
    const { passphrase } = first;
    const alerts = [
      { ...resent, passphrase },
      { passphrase, symbol: 'RSTB', action: 'buy', quantity: 5, price: 20 },
      { passphrase, symbol: 'RSTA', action: 'sell', quantity: 4, price: 55 },
      { passphrase: 'wrong-passphrase', symbol: 'RSTB', action: 'buy', quantity: 1, price: 20 },
    ];
    for (const alert of alerts) {
      const answer = await first.webhook(alert);
      before.alertIds.push(WebhookAnswer.parse(answer.json).alertId);
    }
    before.positions = (await first.api('/api/positions')).text;
    before.orders = (await first.api('/api/orders')).text;
    before.alerts = (await first.api('/api/alerts')).text;
    await first.stop({ keepData: true });
    second = await start({}, { dataDir: first.dataDir });
  }, 90_000);

  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  }, 60_000);

  it('reuses and prints the passphrase and API token generated on the first start', () => {
    // Prepare
    const stored: unknown = JSON.parse(readFileSync(join(running().dataDir, 'secrets.json'), 'utf8'));

    // Assess
    expect(running().passphrase).toBe(first?.passphrase);
    expect(running().apiToken).toBe(first?.apiToken);
    expect([running().passphraseSource, running().apiTokenSource]).toEqual(['file', 'file']);
    expect(stored).toEqual({ passphrase: running().passphrase, apiToken: running().apiToken });
  });

  it('serves the positions, orders and alerts from before the restart', async () => {
    // Act
    const positions = PositionsAnswer.parse((await running().api('/api/positions')).json).positions;
    const orders = OrdersAnswer.parse((await running().api('/api/orders')).json).orders;
    const alerts = AlertsAnswer.parse((await running().api('/api/alerts')).json).alerts;

    // Assess
    expect(positions.map(({ symbol, qty }) => ({ symbol, qty }))).toEqual([
      { symbol: 'RSTA', qty: 6 },
      { symbol: 'RSTB', qty: 5 },
    ]);
    expect(positions).toEqual(PositionsAnswer.parse(JSON.parse(before.positions)).positions);
    expect(orders).toEqual(OrdersAnswer.parse(JSON.parse(before.orders)).orders);
    expect(orders).toHaveLength(3);
    expect(alerts).toEqual(AlertsAnswer.parse(JSON.parse(before.alerts)).alerts);
    expect(alerts.map((alert) => alert.alertId).sort()).toEqual([...before.alertIds].sort());
  });

  it('answers POST /api/reconcile with a report that finds no drift', async () => {
    // Act
    const response = await running().api('/api/reconcile', { method: 'POST' });

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      report: { startedAt: expect.any(String), positionsCompared: true, drift: [], errors: [] },
    });
  });

  it('still answers a resend of an alert from before the restart as a duplicate', async () => {
    // Act
    const answer = await running().webhook({ ...resent, passphrase: running().passphrase });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'duplicate' });
  });

  it('accepts a new alert with the reused passphrase', async () => {
    // Act
    const answer = await running().webhook({
      passphrase: running().passphrase,
      symbol: 'RSTB',
      action: 'exit',
      price: 21,
    });

    // Assess
    expect(answer.status, answer.text).toBe(200);
    const positions = PositionsAnswer.parse((await running().api('/api/positions')).json).positions;
    expect(positions.map((position) => position.symbol)).toEqual(['RSTA']);
  });
});
