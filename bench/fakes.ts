/**
 * Benchmark-only doubles (never used by the tests):
 * - InstantBroker: a broker that fills every order at once, in memory, with no I/O. It isolates our
 *   own path from the paper broker's simulation (which keeps its ledger in the same table).
 * - In-memory stores: subclasses of our store classes that answer at once. The book store hands
 *   back a realistic stored book through the real item parser (parseBook), so parsing stays in the
 *   measured work; writes succeed without I/O. With them the pipeline runs with DynamoDB taken out.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountReport, BrokerPort, MarketClock } from '../src/brokers/port.ts';
import type { Book } from '../src/domain/book.ts';
import type { AlertId } from '../src/domain/ids.ts';
import type { OrderStatusReport, PositionReport, SubmitOrder } from '../src/domain/order.ts';
import { type AlertRecord, AlertStore, type ClaimResult } from '../src/store/alert-store.ts';
import { parseBook } from '../src/store/book-item.ts';
import { BookStore } from '../src/store/book-store.ts';
import { type OrderRecord, OrderStore } from '../src/store/order-store.ts';
import type { TableRef } from '../src/store/table.ts';
import { SYMBOLS } from './alerts.ts';

/** Fills every order at the alert's price the moment it is submitted. */
export class InstantBroker implements BrokerPort {
  readonly name = 'instant';
  private readonly orders = new Map<string, OrderStatusReport>();

  async submitOrder(order: SubmitOrder): Promise<OrderStatusReport> {
    const existing = this.orders.get(order.clientOrderId);
    if (existing) return existing;
    const at = new Date().toISOString();
    const price = order.referencePrice ?? order.limitPrice ?? 100;
    const report: OrderStatusReport = {
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      qty: order.qty,
      status: 'FILLED',
      filledQty: order.qty,
      avgFillPrice: price,
      fills: [
        {
          fillId: `${order.clientOrderId}-f1`,
          clientOrderId: order.clientOrderId,
          symbol: order.symbol,
          side: order.side,
          qty: order.qty,
          price,
          commission: 0,
          filledAt: at,
        },
      ],
      updatedAt: at,
    };
    this.orders.set(order.clientOrderId, report);
    if (this.orders.size > 10_000) this.orders.clear();
    return report;
  }

  async getOrder(clientOrderId: string): Promise<OrderStatusReport | undefined> {
    return this.orders.get(clientOrderId);
  }

  async getOrderByBrokerId(): Promise<OrderStatusReport | undefined> {
    return undefined;
  }

  async cancelOrder(): Promise<void> {}

  async listOpenOrders(): Promise<OrderStatusReport[]> {
    return [];
  }

  async listFillsSince(): Promise<[]> {
    return [];
  }

  async getPositions(): Promise<PositionReport[]> {
    return [];
  }

  async getAccount(): Promise<AccountReport> {
    return { cash: 1e12, equity: 1e12, buyingPower: 1e12, currency: 'USD' };
  }

  async getClock(): Promise<MarketClock> {
    const now = new Date().toISOString();
    return { isOpen: true, timestamp: now, nextOpen: now, nextClose: now };
  }
}

/** A table reference whose client is never called (the in-memory stores do no I/O). */
export function unusedTable(): TableRef {
  return {
    doc: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'unused',
  };
}

/** Claims always succeed; records are dropped. */
export class MemoryAlertStore extends AlertStore {
  override async claim(): Promise<ClaimResult> {
    return { claimed: true };
  }

  override async release(): Promise<void> {}

  override async record(_alert: AlertRecord): Promise<void> {}

  override async list(): Promise<AlertRecord[]> {
    return [];
  }
}

/** Hands back `item` through the real parser; every conditional write succeeds. */
export class MemoryBookStore extends BookStore {
  constructor(
    table: TableRef,
    accountId: string,
    private readonly item: Record<string, unknown>,
  ) {
    super(table, accountId);
  }

  override async ensure(): Promise<void> {}

  override async get(): Promise<Book> {
    return this.remember(parseBook(this.item));
  }

  // Like the real writes, each answers the book it left (parsed) and keeps it for `recent`.
  override async reserve(): Promise<Book> {
    return this.remember(parseBook(this.item));
  }

  override async settle(): Promise<Book> {
    return this.remember(parseBook(this.item));
  }
}

/** Orders are accepted and dropped; none is ever open. */
export class MemoryOrderStore extends OrderStore {
  override async create(_order: OrderRecord): Promise<boolean> {
    return true;
  }

  override async update(_order: OrderRecord): Promise<void> {}

  override async listOpen(): Promise<OrderRecord[]> {
    return [];
  }

  override async get(): Promise<OrderRecord | undefined> {
    return undefined;
  }
}

/**
 * A stored book as DynamoDB hands it back after a busy day: every benchmark symbol held, each with
 * `marksPerSymbol` applied marks of the day's orders, the strategy's exposure, the broker snapshot.
 */
export function storedBook(accountId: string, marksPerSymbol: number, now: Date): Record<string, unknown> {
  const at = now.toISOString();
  const item: Record<string, unknown> = {
    pk: `ACCT#${accountId}`,
    sk: 'BOOK',
    accountId,
    tradingState: 'ACTIVE',
    openSymbols: new Set(SYMBOLS),
    exposure: SYMBOLS.length * 1000,
    pendingNotional: 0,
    pnlDay: at.slice(0, 10),
    dayRealizedPnl: 0,
    fillsVersion: marksPerSymbol * SYMBOLS.length,
    broker: { equity: 1e12, cash: 1e12, buyingPower: 1e12, at },
    updatedAt: at,
    'se#bench-trend': SYMBOLS.length * 1000,
  };
  for (const symbol of SYMBOLS) {
    const applied: Record<string, unknown> = {};
    for (let i = 0; i < marksPerSymbol; i += 1) {
      const alertId =
        `${(now.getTime() - i * 60_000).toString(36).padStart(9, '0')}${symbol.toLowerCase().padEnd(12, '0').slice(0, 12)}` as AlertId;
      applied[`pb-${alertId}-1`] = { fillIds: [`pb-${alertId}-1-f1`], released: true, at };
    }
    item[`p#${symbol}`] = {
      symbol,
      qty: 10,
      avgPrice: 100,
      realizedPnl: 0,
      commissions: 0,
      lastPrice: 100,
      openedOn: at.slice(0, 10),
      updatedAt: at,
      applied,
    };
    item[`c#${symbol}`] = 10;
    item[`r#${symbol}`] = 0;
    item[`lt#${symbol}`] = new Date(now.getTime() - 3_600_000).toISOString();
  }
  return item;
}
