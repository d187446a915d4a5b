/**
 * The paper broker's records: its account (cash, positions) and its orders as stored in DynamoDB,
 * parsed with zod, and the order report it gives back.
 */
import { asClientOrderId, type BrokerOrderId, brokerOrderId, type ClientOrderId } from '../../domain/ids.ts';
import {
  averagePrice,
  ORDER_STATUSES,
  type OrderStatusReport,
  type SubmitOrder,
} from '../../domain/order.ts';
import * as z from '../../zod.ts';

const PaperPosition = z.object({ qty: z.number(), avgPrice: z.number(), lastPrice: z.optional(z.number()) });
/** The paper account item: cash and positions, with a version for optimistic writes. */
export const PaperAccount = z.object({
  cash: z.number(),
  version: z.number(),
  positions: z.record(z.string(), PaperPosition),
});
/** The paper account. */
export type PaperAccount = z.infer<typeof PaperAccount>;

/** The paper broker's order item, fills included. */
export const PaperOrder = z.object({
  clientOrderId: z.pipe(z.string(), z.transform(asClientOrderId)),
  brokerOrderId: z.pipe(z.string(), z.transform(brokerOrderId)),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  timeInForce: z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']),
  limitPrice: z.optional(z.number()),
  stopPrice: z.optional(z.number()),
  referencePrice: z.optional(z.number()),
  status: z.enum(ORDER_STATUSES),
  filledQty: z.number(),
  fills: z.array(
    z.object({
      fillId: z.string(),
      clientOrderId: z.pipe(z.string(), z.transform(asClientOrderId)),
      symbol: z.string(),
      side: z.enum(['buy', 'sell']),
      qty: z.number(),
      price: z.number(),
      commission: z.number(),
      filledAt: z.string(),
    }),
  ),
  reason: z.optional(z.string()),
  version: z.number(),
  updatedAt: z.string(),
});
/** A paper order. */
export type PaperOrder = z.infer<typeof PaperOrder>;

const PAPER_ID_PREFIX = 'paper-';

/** The client order id a paper broker order id was made from, or undefined when it is not one of ours. */
export function clientOrderIdOf(id: BrokerOrderId): ClientOrderId | undefined {
  return id.startsWith(PAPER_ID_PREFIX) ? asClientOrderId(id.slice(PAPER_ID_PREFIX.length)) : undefined;
}

/** A new paper order for a submission, with no fills yet. */
export function newPaperOrder(order: SubmitOrder, status: PaperOrder['status'], at: string): PaperOrder {
  return {
    clientOrderId: order.clientOrderId,
    brokerOrderId: brokerOrderId(`${PAPER_ID_PREFIX}${order.clientOrderId}`),
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    type: order.type,
    timeInForce: order.timeInForce,
    limitPrice: order.limitPrice,
    stopPrice: order.stopPrice,
    referencePrice: order.referencePrice,
    status,
    filledQty: 0,
    fills: [],
    version: 0,
    updatedAt: at,
  };
}

/** The broker report of a paper order. */
export function toReport(order: PaperOrder): OrderStatusReport {
  return {
    clientOrderId: order.clientOrderId,
    brokerOrderId: order.brokerOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    status: order.status,
    filledQty: order.filledQty,
    avgFillPrice: averagePrice(order.fills),
    fills: order.fills,
    reason: order.reason,
    updatedAt: order.updatedAt,
  };
}
