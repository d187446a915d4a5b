/**
 * The app as the Lambda entry builds it, in-process, over a real DynamoDB Local table: loadConfig ->
 * buildDeps -> book.ensure -> createApp. Requests go through Hono's `app.request()`; answers are
 * parsed with zod so tests read typed fields. Logs are captured so tests can check what they hold.
 *
 * Two differences from start-up, so that tests decide what they exercise: market hours are not
 * enforced unless a test sets PINEBRIDGE__MARKET__ENFORCE_HOURS (with a fixed `now`), and the broker's
 * account is not read into the book (tests of buying power call refreshBrokerSnapshot themselves).
 */
import type { Hono } from 'hono';
import { afterEach } from 'vitest';
import { z } from 'zod';
import { buildDeps, type Deps } from '../../src/app/build-deps.ts';
import { createApp } from '../../src/app/create-app.ts';
import { jsonLogger } from '../../src/app/logger.ts';
import { MemoryMetrics } from '../../src/app/metrics.ts';
import { PaperBroker } from '../../src/brokers/paper/paper-broker.ts';
import type { BrokerPort } from '../../src/brokers/port.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type AlertId, asAlertId, asClientOrderId } from '../../src/domain/ids.ts';
import type { OrderRecord } from '../../src/store/order-store.ts';
import { parseOrder } from '../../src/store/order-store.ts';
import { createDynamoClients } from '../../src/store/table.ts';
import { createTestTable, type TestTable } from './test-table.ts';

/** The webhook passphrase every harness uses. */
export const PASSPHRASE = 'tv-pass-9f3c1e77';
/** The API token every harness uses. */
export const API_TOKEN = 'api-token-0123456789abcdef';
/** One of TradingView's published webhook source addresses. */
export const TRADINGVIEW_IP = '52.89.214.238';

/** How a harness is built. */
export interface HarnessOptions {
  /** Environment on top of the harness's own (PINEBRIDGE__... overrides). */
  env?: Record<string, string>;
  /** A broker of our own port to use instead of the paper broker; it receives the paper broker to wrap. */
  broker?: (paper: PaperBroker) => BrokerPort;
  /** An existing table: the new harness gets its own clients and in-memory state over the same data. */
  table?: TestTable;
  /** The address the platform reports for each request (default 127.0.0.1). */
  sourceIp?: string;
  now?: () => Date;
}

/** A webhook answer (the body always carries status and alertId). */
export const WebhookAnswer = z.looseObject({
  status: z.string(),
  alertId: z.string(),
  orderId: z.string().optional(),
  orderStatus: z.string().optional(),
  side: z.string().optional(),
  qty: z.number().optional(),
  filledQty: z.number().optional(),
  avgFillPrice: z.number().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  duplicateOf: z.string().optional(),
  orderIds: z.array(z.string()).optional(),
  orders: z
    .array(z.looseObject({ orderId: z.string(), side: z.string(), qty: z.number(), effect: z.string() }))
    .optional(),
  limit: z.number().optional(),
  current: z.number().optional(),
  requested: z.number().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
/** A parsed webhook answer. */
export type WebhookAnswer = z.infer<typeof WebhookAnswer>;

/** One delivery as GET /api/alerts shows it. */
export const ListedAlert = z.looseObject({
  alertId: z.string(),
  status: z.string(),
  httpStatus: z.number(),
  code: z.string().optional(),
  body: z.string().optional(),
  sourceIp: z.string().optional(),
  symbol: z.string().optional(),
  orderIds: z.array(z.string()).optional(),
  warnings: z.array(z.string()).optional(),
  duplicateOf: z.string().optional(),
});
/** A listed delivery. */
export type ListedAlert = z.infer<typeof ListedAlert>;

/** One position as GET /api/positions shows it. */
export const ListedPosition = z.looseObject({
  symbol: z.string(),
  qty: z.number(),
  side: z.string(),
  avgPrice: z.number(),
  pendingOpenQty: z.number(),
  pendingReduceQty: z.number(),
});
/** A listed position. */
export type ListedPosition = z.infer<typeof ListedPosition>;

/** The account as GET /api/account shows it. */
export const AccountView = z.looseObject({
  tradingState: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  openPositions: z.number(),
  exposure: z.number(),
  pendingNotional: z.number(),
  realizedPnlToday: z.number(),
  strategyExposure: z.record(z.string(), z.number()),
});
/** An account view. */
export type AccountView = z.infer<typeof AccountView>;

/** An HTTP answer: status and raw text. */
export interface Reply {
  status: number;
  text: string;
}

/** A running app over a test table. */
export interface Harness {
  app: Hono;
  deps: Deps;
  /** Every metric the app recorded. */
  metrics: MemoryMetrics;
  config: Config;
  table: TestTable;
  passphrase: string;
  apiToken: string;
  /** Every log line written, as JSON text. */
  logs: string[];
  /** Changes the address the platform reports for the next requests. */
  setSourceIp(ip: string | undefined): void;
  /** A JSON alert body carrying the right passphrase. */
  alert(fields: Record<string, unknown>): string;
  /** POSTs a raw body to /webhook and parses the answer. */
  post(body: string): Promise<{ status: number; answer: WebhookAnswer }>;
  /** Calls an /api route with the API token. */
  api(path: string, init?: RequestInit): Promise<Reply>;
  alerts(): Promise<ListedAlert[]>;
  orders(): Promise<OrderRecord[]>;
  positions(): Promise<ListedPosition[]>;
  account(): Promise<AccountView>;
  /** POSTs /api/trading-state with `state` and answers the account it returns. */
  setTradingState(state: string): Promise<{ status: number; account?: AccountView | undefined }>;
  /** Closes the clients this harness made (and the table's, when the harness created it). */
  close(): void;
}

/**
 * For a describe block: a function that starts a harness (with `options` under its own), each
 * closed after the test that started it.
 */
export function harnessesPerTest(options: HarnessOptions = {}): (more?: HarnessOptions) => Promise<Harness> {
  const open: Harness[] = [];
  afterEach(() => {
    for (const h of open.splice(0)) h.close();
  });
  return async (more = {}) => {
    const h = await startHarness({ ...options, ...more });
    open.push(h);
    return h;
  };
}

/** Builds the app over a fresh table (or `options.table`). */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const created = options.table === undefined;
  const base = options.table ?? (await createTestTable('app'));
  const table: TestTable = created ? base : reopen(base);
  const config = loadConfig({
    WEBHOOK_PASSPHRASE: PASSPHRASE,
    API_TOKEN: API_TOKEN,
    DYNAMODB_ENDPOINT: table.endpoint,
    DYNAMODB_TABLE: table.tableName,
    AWS_REGION: 'us-east-1',
    // Most tests are not about the market calendar; those that are set it back with a fixed `now`.
    PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false',
    ...options.env,
  });
  const logs: string[] = [];
  const now = options.now ?? (() => new Date());
  let sourceIp = options.sourceIp ?? '127.0.0.1';
  const wrap = options.broker;
  const metrics = new MemoryMetrics();
  const deps = buildDeps(config, {
    metrics,
    doc: table.doc,
    sourceIp: () => sourceIp,
    now,
    log: jsonLogger('debug', (line) => logs.push(line)),
    ...(wrap ? { broker: wrap(new PaperBroker(table, config.account.id, config.broker.paper, now)) } : {}),
  });
  await deps.book.ensure(config.risk.tradingState, now());
  const app = createApp(deps);

  const api = async (path: string, init: RequestInit = {}): Promise<Reply> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${API_TOKEN}`);
    const response = await app.request(`/api${path}`, { ...init, headers });
    return { status: response.status, text: await response.text() };
  };
  const apiJson = async (path: string): Promise<unknown> => {
    const reply = await api(path);
    if (reply.status !== 200) throw new Error(`GET /api${path} answered ${reply.status}: ${reply.text}`);
    return JSON.parse(reply.text);
  };

  return {
    app,
    deps,
    metrics,
    config,
    table,
    passphrase: PASSPHRASE,
    apiToken: API_TOKEN,
    logs,
    setSourceIp: (ip) => {
      sourceIp = ip ?? '';
    },
    alert: (fields) => JSON.stringify({ passphrase: PASSPHRASE, ...fields }),
    post: async (body) => {
      const contentType = body.trim().startsWith('{') ? 'application/json' : 'text/plain';
      const response = await app.request('/webhook', {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
      });
      return { status: response.status, answer: WebhookAnswer.parse(await response.json()) };
    },
    api,
    alerts: async () =>
      z.object({ alerts: z.array(ListedAlert) }).parse(await apiJson('/alerts?limit=500')).alerts,
    orders: async () =>
      z
        .object({ orders: z.array(z.record(z.string(), z.unknown())) })
        .parse(await apiJson('/orders?limit=500'))
        .orders.map(parseOrder),
    positions: async () =>
      z.object({ positions: z.array(ListedPosition) }).parse(await apiJson('/positions')).positions,
    account: async () => z.object({ account: AccountView }).parse(await apiJson('/account')).account,
    setTradingState: async (state) => {
      const reply = await api('/trading-state', {
        method: 'POST',
        body: JSON.stringify({ state }),
        headers: { 'content-type': 'application/json' },
      });
      const parsed = z.object({ account: AccountView }).safeParse(JSON.parse(reply.text));
      return { status: reply.status, account: parsed.success ? parsed.data.account : undefined };
    },
    close: () => table.close(),
  };
}

/** New clients over an existing table, so nothing is shared in memory with whoever made it. */
function reopen(table: TestTable): TestTable {
  const { raw, doc } = createDynamoClients({ endpoint: table.endpoint, region: 'us-east-1' });
  return { endpoint: table.endpoint, tableName: table.tableName, raw, doc, close: () => raw.destroy() };
}

/** Distinct symbols for a burst: `prefix` then 00, 01, ... */
export function symbolsNamed(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
}

/** A clock that stands still until it is set: the same instant for the app, the broker and the test. */
export interface ManualClock {
  now: () => Date;
  set(at: Date | string): void;
}

/** A manual clock standing at `at`. */
export function manualClock(at: Date | string): ManualClock {
  let current = new Date(at);
  return {
    now: () => new Date(current.getTime()),
    set: (next) => {
      current = new Date(next);
    },
  };
}

/** A clock stopped at the moment it is made: time spent waiting on DynamoDB Local never counts. */
export function stoppedClock(at: Date = new Date()): () => Date {
  return () => new Date(at.getTime());
}

/** An order record as the pipeline writes it, for tests that put orders in the store directly. */
export function orderRecord(
  accountId: string,
  fields: { id: string; symbol: string; qty: number; createdAt: Date } & Partial<
    Omit<OrderRecord, 'createdAt'>
  >,
): OrderRecord {
  const { id, createdAt, ...rest } = fields;
  const at = createdAt.toISOString();
  const alertId: AlertId = asAlertId(`alert-${id}`);
  return {
    accountId,
    alertId,
    clientOrderId: asClientOrderId(`pb-${id}-1`),
    side: 'buy',
    effect: 'open',
    referencePrice: 100,
    type: 'market',
    timeInForce: 'day',
    status: 'IN_FLIGHT',
    filledQty: 0,
    fills: [],
    settled: false,
    events: [{ status: 'IN_FLIGHT', at, source: 'webhook' }],
    createdAt: at,
    updatedAt: at,
    ...rest,
  };
}
