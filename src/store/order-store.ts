/**
 * Our orders. An order is written before it is sent to the broker (status IN_FLIGHT), so a crash
 * between the broker call and our write leaves a record that reconciliation finds through the
 * sparse open-orders index (GSI1). An order leaves that index once it is terminal and settled.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BookOrder } from '../domain/book.ts';
import {
  type AlertId,
  asAlertId,
  asClientOrderId,
  type BrokerOrderId,
  brokerOrderId,
  CLIENT_ORDER_ID_PREFIX,
  clientOrderIdPrefixAt,
} from '../domain/ids.ts';
import { ORDER_STATUSES, type OrderStatus, type OrderStatusReport } from '../domain/order.ts';
import * as z from '../zod.ts';
import { isConditionFailed, keys, OPEN_INDEX, queryAll, type TableRef } from './table.ts';

/** One status change of an order, with where it came from. */
export interface OrderEvent {
  status: OrderStatus;
  at: string;
  source: 'webhook' | 'reconcile';
  reason?: string | undefined;
}

/** An order as we keep it. */
export interface OrderRecord extends BookOrder {
  accountId: string;
  alertId: AlertId;
  type: string;
  timeInForce: string;
  limitPrice?: number | undefined;
  stopPrice?: number | undefined;
  status: OrderStatus;
  brokerOrderId?: BrokerOrderId | undefined;
  filledQty: number;
  avgFillPrice?: number | undefined;
  fills: OrderStatusReport['fills'];
  reason?: string | undefined;
  strategy?: string | undefined;
  settled: boolean;
  events: OrderEvent[];
  createdAt: string;
  updatedAt: string;
}

const FillItem = z.object({
  fillId: z.string(),
  clientOrderId: z.pipe(z.string(), z.transform(asClientOrderId)),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  price: z.number(),
  commission: z.number(),
  filledAt: z.string(),
});

const OrderItem = z.object({
  accountId: z.string(),
  alertId: z.pipe(z.string(), z.transform(asAlertId)),
  clientOrderId: z.pipe(z.string(), z.transform(asClientOrderId)),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  effect: z.enum(['open', 'reduce']),
  referencePrice: z.number(),
  type: z.string(),
  timeInForce: z.string(),
  limitPrice: z.optional(z.number()),
  stopPrice: z.optional(z.number()),
  status: z.enum(ORDER_STATUSES),
  brokerOrderId: z.optional(z.pipe(z.string(), z.transform(brokerOrderId))),
  filledQty: z.number(),
  avgFillPrice: z.optional(z.number()),
  fills: z.array(FillItem),
  reason: z.optional(z.string()),
  strategy: z.optional(z.string()),
  settled: z.boolean(),
  events: z.array(
    z.object({
      status: z.enum(ORDER_STATUSES),
      at: z.string(),
      source: z.enum(['webhook', 'reconcile']),
      reason: z.optional(z.string()),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Reads and writes one account's orders. */
export class OrderStore {
  constructor(
    private readonly table: TableRef,
    private readonly accountId: string,
  ) {}

  /** Records a new order before it is submitted; false if one with this client order id exists. */
  async create(order: OrderRecord): Promise<boolean> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.order(this.accountId, order.clientOrderId),
            ...order,
            gsi1pk: keys.openOrders(this.accountId),
            gsi1sk: `${order.createdAt}#${order.clientOrderId}`,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Writes what a broker report says; a settled order leaves the open-orders index. */
  async update(order: OrderRecord): Promise<void> {
    const remove = order.settled ? ' REMOVE gsi1pk, gsi1sk' : '';
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.order(this.accountId, order.clientOrderId),
        UpdateExpression:
          'SET #status = :status, brokerOrderId = :bid, filledQty = :fq, avgFillPrice = :afp, fills = :fills, ' +
          `reason = :reason, settled = :settled, events = :events, updatedAt = :now${remove}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': order.status,
          ':bid': order.brokerOrderId ?? null,
          ':fq': order.filledQty,
          ':afp': order.avgFillPrice ?? null,
          ':fills': order.fills,
          ':reason': order.reason ?? null,
          ':settled': order.settled,
          ':events': order.events,
          ':now': order.updatedAt,
        },
      }),
    );
  }

  /** One order by client order id. */
  async get(clientOrderId: string): Promise<OrderRecord | undefined> {
    const result = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.order(this.accountId, clientOrderId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? parseOrder(result.Item) : undefined;
  }

  /** The newest orders first. */
  async list(limit: number): Promise<OrderRecord[]> {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.book(this.accountId).pk, ':prefix': 'ORDER#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(parseOrder);
  }

  /**
   * Orders made since `since`, oldest first. Client order ids begin with the alert id, whose first
   * characters are the time in base 36, so this is a key range, not a scan of history.
   */
  async listSince(since: Date): Promise<OrderRecord[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.book(this.accountId).pk,
        ':from': `ORDER#${clientOrderIdPrefixAt(since)}`,
        ':to': `ORDER#${CLIENT_ORDER_ID_PREFIX}~`,
      },
    });
    return items.map(parseOrder);
  }

  /** Orders not yet settled, oldest first: read from the sparse index, so cost follows their number only. */
  async listOpen(): Promise<OrderRecord[]> {
    const items = await queryAll(this.table, {
      IndexName: OPEN_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.openOrders(this.accountId) },
    });
    return items.map(parseOrder);
  }
}

/** Parses a stored order; nulls written for cleared fields read as absent. */
export function parseOrder(item: Record<string, unknown>): OrderRecord {
  const cleaned = Object.fromEntries(Object.entries(item).filter(([, value]) => value !== null));
  return OrderItem.parse(cleaned);
}
