import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountReconcileReport } from '../../src/app/build-deps.ts';
import { OrderStore } from '../../src/store/order-store.ts';
import { API_TOKEN, PASSPHRASE, TRADINGVIEW_IP, WebhookAnswer } from '../support/app-harness.ts';
import { scheduledEvent, webhookEvent } from '../support/lambda-events.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

type WebhookModule = typeof import('../../functions/webhook.ts');
type ReconcileModule = typeof import('../../functions/reconcile.ts');

/** Sets environment variables; the returned function puts back what was there before. */
function setEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Imports the Lambda entries fresh, as a new container would, with this environment. */
async function coldStart(table: TestTable, extra: Record<string, string> = {}) {
  const restore = setEnv({
    DYNAMODB_ENDPOINT: table.endpoint,
    DYNAMODB_TABLE: table.tableName,
    WEBHOOK_PASSPHRASE: PASSPHRASE,
    API_TOKEN,
    AWS_REGION: 'us-east-1',
    PINEBRIDGE__LOG__LEVEL: 'silent',
    PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false',
    ...extra,
  });
  try {
    vi.resetModules();
    const webhook: WebhookModule = await import('../../functions/webhook.ts');
    const reconcile: ReconcileModule = await import('../../functions/reconcile.ts');
    return { webhook: webhook.handler, reconcile: reconcile.handler };
  } finally {
    restore();
  }
}

/** Parses a Lambda result body as a webhook answer. */
function answerOf(result: { body: string }): WebhookAnswer {
  return WebhookAnswer.parse(JSON.parse(result.body));
}

/** A JSON alert body with the right passphrase. */
function alertBody(fields: Record<string, unknown>): string {
  return JSON.stringify({ passphrase: PASSPHRASE, ...fields });
}

describe('the Lambda entries', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('lambda');
  });
  afterAll(() => table.close());

  describe('webhook, without an allowlist', () => {
    let entries: Awaited<ReturnType<typeof coldStart>>;
    beforeAll(async () => {
      entries = await coldStart(table, { PINEBRIDGE__BROKER__PAPER__PARTIAL_FILL_RATIO: '0.5' });
    });

    it('answers a Function URL event with the decision as JSON', async () => {
      // Prepare
      const event = webhookEvent('function-url', {
        body: alertBody({ symbol: 'AAPL', action: 'buy', quantity: 2, price: 100 }),
        sourceIp: '198.51.100.20',
      });

      // Act
      const result = await entries.webhook(event);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.headers?.['content-type']).toMatch(/^application\/json/);
      expect(answerOf(result)).toMatchObject({ status: 'accepted', side: 'buy', qty: 2 });
    });

    it('answers an HTTP API (payload 2.0) event', async () => {
      // Prepare
      const event = webhookEvent('http-api-v2', {
        body: alertBody({ symbol: 'MSFT', action: 'buy', quantity: 2, price: 300 }),
        sourceIp: '198.51.100.21',
      });

      // Act
      const result = await entries.webhook(event);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(answerOf(result)).toMatchObject({ status: 'accepted', qty: 2 });
    });

    it('decodes a base64-encoded body', async () => {
      // Prepare
      const event = webhookEvent('function-url', {
        body: `passphrase=${PASSPHRASE} symbol=AMD action=buy quantity=4 price=120`,
        sourceIp: '198.51.100.22',
        base64: true,
      });

      // Act
      const result = await entries.webhook(event);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(answerOf(result)).toMatchObject({ status: 'accepted', qty: 4 });
    });

    it('answers 401 to a wrong passphrase', async () => {
      // Prepare
      const event = webhookEvent('function-url', {
        body: JSON.stringify({
          passphrase: 'not-the-passphrase',
          symbol: 'AAPL',
          action: 'buy',
          quantity: 1,
        }),
        sourceIp: '198.51.100.23',
      });

      // Act
      const result = await entries.webhook(event);

      // Assess
      expect(result.statusCode).toBe(401);
      expect(answerOf(result).status).toBe('unauthorized');
    });

    it('runs a reconcile pass on a scheduled event and returns its report', async () => {
      // Prepare: a partial fill left for reconciliation
      const bought = await entries.webhook(
        webhookEvent('function-url', {
          body: alertBody({ symbol: 'NVDA', action: 'buy', quantity: 10, price: 90 }),
          sourceIp: '198.51.100.24',
        }),
      );
      const onSchedule: (event: unknown) => Promise<AccountReconcileReport[]> = entries.reconcile;

      // Act
      const reports = await onSchedule(scheduledEvent());

      // Assess
      expect(reports.map((entry) => entry.accountId)).toEqual(['default']);
      const [only] = reports;
      if (!only?.ok) throw new Error(`the pass failed: ${JSON.stringify(only)}`);
      const report = only.report;
      const answer = answerOf(bought);
      expect(answer).toMatchObject({ status: 'accepted', orderStatus: 'PARTIALLY_FILLED', filledQty: 5 });
      expect(report.ordersSettled).toBeGreaterThanOrEqual(1);
      expect(report).toMatchObject({ stillOpen: 0, drift: [], positionsCompared: true, errors: [] });
      const order = await new OrderStore(table, 'default').get(answer.orderId ?? '');
      expect(order).toMatchObject({ status: 'FILLED', filledQty: 10, settled: true });
    });
  });

  describe('webhook, with the TradingView allowlist', () => {
    let entries: Awaited<ReturnType<typeof coldStart>>;
    beforeAll(async () => {
      entries = await coldStart(table, { PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__ENABLED: 'true' });
    });

    it('lets a request from a TradingView address through', async () => {
      // Prepare
      const event = webhookEvent('function-url', {
        body: alertBody({ symbol: 'INTC', action: 'buy', quantity: 1, price: 30 }),
        sourceIp: TRADINGVIEW_IP,
      });

      // Act
      const result = await entries.webhook(event);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(answerOf(result).status).toBe('accepted');
    });

    it('refuses another source even when x-forwarded-for names a TradingView address', async () => {
      // Prepare
      const event = webhookEvent('http-api-v2', {
        body: alertBody({ symbol: 'INTC', action: 'buy', quantity: 1, price: 31 }),
        sourceIp: '203.0.113.9',
        headers: { 'x-forwarded-for': TRADINGVIEW_IP },
      });

      // Act
      const result = await entries.webhook(event);

      // Assess
      expect(result.statusCode).toBe(403);
      expect(answerOf(result).status).toBe('forbidden');
    });
  });
});
