/**
 * The fault suite's rig: the app in-process over a fresh DynamoDB Local table, with the real Alpaca
 * adapter talking HTTP to the Alpaca fake, all on one clock that runs in real time (the submit
 * policy's deadline is real) and can be moved forward past reconciliation's grace period without
 * waiting.
 *
 * `trail()` lists what the app asked the broker about orders, in order: each submission and each
 * lookup by client order id. `disagreements()` lists every way our books and the broker's differ;
 * one reconcile pass must leave it empty:
 * - every broker order is one of ours, and no client order id is held twice;
 * - each of our orders has the broker's status and filled quantity, is settled exactly when that
 *   status is terminal, and is IN_FLIGHT only while the broker does not know it (inside the grace
 *   period) or REJECTED when the broker never had it;
 * - our positions equal the broker's (GET /v2/positions through an adapter of our own);
 * - no symbol holds a reservation that no unsettled order explains;
 * - every request the app made met Alpaca's spec (`fake.violations` is empty).
 */
import { z } from 'zod';
import type { ReconcileReport } from '../../src/app/reconcile-pass.ts';
import { AlpacaBroker } from '../../src/brokers/alpaca/alpaca-broker.ts';
import type { BrokerPort } from '../../src/brokers/port.ts';
import { isTerminal, type OrderStatus } from '../../src/domain/order.ts';
import { type AlpacaFake, type AlpacaStatus, startAlpacaFake } from './alpaca-fake/index.ts';
import { type Harness, startHarness } from './app-harness.ts';

/** The prices the fake trades at; alerts carry the same price. */
export const PRICES = { AAPL: 190, MSFT: 410, NVDA: 120, AMD: 150, TSLA: 250, META: 600 } as const;
/** A symbol the fake has a price for. */
export type PricedSymbol = keyof typeof PRICES;

/** The longest deadline the configuration allows: a timed-out attempt (1,500 ms) leaves time to look up. */
export const LONG_DEADLINE_MS = 2900;

/** How to build a rig. */
export interface RigOptions {
  /** `webhook.deadlineMs` (default LONG_DEADLINE_MS). Each attempt gets min(1,500, this) ms. */
  deadlineMs?: number;
  /** Wraps the adapter the app uses (a crash, for instance). */
  wrap?: (alpaca: AlpacaBroker) => BrokerPort;
  /** The fetch the app's adapter calls through (default: the global one). */
  fetch?: typeof fetch;
}

/** A running rig. */
export interface FaultRig {
  h: Harness;
  fake: AlpacaFake;
  /** An adapter of our own, unwrapped, for reading the broker's side. */
  alpaca: AlpacaBroker;
  /** A market buy alert body for `symbol` at the fake's price. */
  buy(symbol: PricedSymbol, quantity: number): string;
  /** Moves the clock of the app, the adapter and the fake forward by `ms`. */
  advance(ms: number): void;
  /** One reconcile pass of the default account. */
  reconcileOnce(): Promise<ReconcileReport>;
  /** `submit <client order id>` and `look up <client order id>`, in the order the fake received them. */
  trail(): string[];
  /** How many orders the broker holds for each alert of ours, by alert id. */
  brokerOrdersPerAlert(): Promise<Record<string, number>>;
  /** Every way our books and the broker's differ (see the module header); empty when they agree. */
  disagreements(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the fake and the app over it. */
export async function startFaultRig(options: RigOptions = {}): Promise<FaultRig> {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const fake = await startAlpacaFake({ prices: { ...PRICES }, cash: 1_000_000, now });
  const settings = { baseUrl: fake.url, keyId: fake.keyId, secretKey: fake.secretKey };
  const appAdapter = new AlpacaBroker(settings, { now, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const alpaca = new AlpacaBroker(settings, { now });
  const h = await startHarness({
    now,
    env: { PINEBRIDGE__WEBHOOK__DEADLINE_MS: String(options.deadlineMs ?? LONG_DEADLINE_MS) },
    broker: () => (options.wrap ? options.wrap(appAdapter) : appAdapter),
  });
  const alertOf = async (): Promise<Map<string, string>> =>
    new Map((await h.orders()).map((order) => [order.clientOrderId, order.alertId]));

  return {
    h,
    fake,
    alpaca,
    buy: (symbol, quantity) => h.alert({ symbol, action: 'buy', quantity, price: PRICES[symbol] }),
    advance: (ms) => {
      offsetMs += ms;
    },
    reconcileOnce: () => h.deps.reconcile(),
    trail: () => trail(fake),
    brokerOrdersPerAlert: async () => {
      const alerts = await alertOf();
      const counts: Record<string, number> = {};
      for (const order of fake.orders) {
        const alertId = alerts.get(order.client_order_id) ?? `not ours: ${order.client_order_id}`;
        counts[alertId] = (counts[alertId] ?? 0) + 1;
      }
      return counts;
    },
    disagreements: () => disagreements(h, fake, alpaca),
    close: async () => {
      h.close();
      await fake.close();
    },
  };
}

/**
 * Runs one alert through a throwaway rig: the first requests of a process (SDK, HTTP client, DynamoDB
 * Local) are slow enough to eat into a deadline, and no test should depend on how slow.
 */
export async function warmUp(): Promise<void> {
  const rig = await startFaultRig();
  try {
    await rig.h.post(rig.buy('AAPL', 1));
    await rig.reconcileOnce();
  } finally {
    await rig.close();
  }
}

const OrderBody = z.looseObject({ client_order_id: z.string() });

function trail(fake: AlpacaFake): string[] {
  return fake.requests.flatMap((request) => {
    if (request.method === 'POST' && request.path === '/v2/orders') {
      const body = OrderBody.safeParse(request.body);
      return [`submit ${body.success ? body.data.client_order_id : '(no client_order_id)'}`];
    }
    if (request.method === 'GET' && request.path === '/v2/orders:by_client_order_id') {
      return [`look up ${request.query.client_order_id ?? '(none)'}`];
    }
    return [];
  });
}

/** Our status for each Alpaca status (the fake's statuses; working ones are ACCEPTED until a fill). */
const OURS: Partial<Record<AlpacaStatus, OrderStatus>> = {
  new: 'ACCEPTED',
  accepted: 'ACCEPTED',
  pending_new: 'ACCEPTED',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  pending_cancel: 'PENDING_CANCEL',
  canceled: 'CANCELED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
};

async function disagreements(h: Harness, fake: AlpacaFake, alpaca: AlpacaBroker): Promise<string[]> {
  const found: string[] = [];
  const ours = await h.orders();
  const ourIds = new Set<string>(ours.map((order) => order.clientOrderId));
  const held = new Map<string, number>();
  for (const theirs of fake.orders) {
    held.set(theirs.client_order_id, (held.get(theirs.client_order_id) ?? 0) + 1);
    if (!ourIds.has(theirs.client_order_id)) {
      found.push(`the broker holds ${theirs.client_order_id}, which is not ours`);
    }
  }
  for (const [clientOrderId, count] of held) {
    if (count > 1) found.push(`the broker holds ${count} orders under ${clientOrderId}`);
  }

  const now = h.deps.now().getTime();
  for (const order of ours) {
    const theirs = fake.order(order.clientOrderId);
    if (theirs === undefined) {
      const young = now - Date.parse(order.createdAt) < h.deps.unknownOrderGraceMs;
      const fine = order.status === 'REJECTED' || (order.status === 'IN_FLIGHT' && young);
      if (!fine) found.push(`${order.clientOrderId} is ${order.status}, and the broker has no such order`);
      continue;
    }
    const status = OURS[theirs.status];
    const mine = { status: order.status, filledQty: order.filledQty, settled: order.settled };
    const broker = {
      status: status ?? `(alpaca ${theirs.status})`,
      filledQty: Number(theirs.filled_qty),
      settled: status !== undefined && isTerminal(status),
    };
    if (JSON.stringify(mine) !== JSON.stringify(broker)) {
      found.push(`${order.clientOrderId}: ours ${JSON.stringify(mine)}, broker ${JSON.stringify(broker)}`);
    }
  }

  const bySymbol = (a: { symbol: string }, b: { symbol: string }) => a.symbol.localeCompare(b.symbol);
  const ourPositions = (await h.positions())
    .map(({ symbol, qty, avgPrice }) => ({ symbol, qty, avgPrice }))
    .sort(bySymbol);
  const brokerPositions = (await alpaca.getPositions()).sort(bySymbol);
  if (JSON.stringify(ourPositions) !== JSON.stringify(brokerPositions)) {
    found.push(`positions: ours ${JSON.stringify(ourPositions)}, broker ${JSON.stringify(brokerPositions)}`);
  }

  const book = await h.deps.book.get();
  const unsettled = new Set(ours.filter((order) => !order.settled).map((order) => order.symbol));
  for (const [symbol, entry] of Object.entries(book.symbols)) {
    const reserved = entry.committed > Math.abs(entry.position.qty) || entry.reducing > 0;
    if (reserved && !unsettled.has(symbol))
      found.push(`${symbol} holds a reservation no open order explains`);
  }
  if (unsettled.size === 0 && book.pendingNotional !== 0) {
    found.push(`pending notional ${book.pendingNotional} with no open order`);
  }

  for (const violation of fake.violations) {
    found.push(
      `spec violation (${violation.kind}) ${violation.method} ${violation.path}: ${violation.errors}`,
    );
  }
  return found;
}
