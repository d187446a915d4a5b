/**
 * The paper broker's records: its account (cash, positions) and its orders as stored in DynamoDB,
 * parsed with zod, and the order report it gives back.
 */
import { z } from 'zod';
import { asClientOrderId, type BrokerOrderId, brokerOrderId, type ClientOrderId } from '../../domain/ids.ts';
import {
  averagePrice,
  ORDER_STATUSES,
  type OrderStatusReport,
  type SubmitOrder,
} from '../../domain/order.ts';

const PaperPosition = z.object({ qty: z.number(), avgPrice: z.number(), lastPrice: z.number().optional() });
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
  clientOrderId: z.string().transform(asClientOrderId),
  brokerOrderId: z.string().transform(brokerOrderId),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  timeInForce: z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']),
  limitPrice: z.number().optional(),
  stopPrice: z.number().optional(),
  referencePrice: z.number().optional(),
  status: z.enum(ORDER_STATUSES),
  filledQty: z.number(),
  fills: z.array(
    z.object({
      fillId: z.string(),
      clientOrderId: z.string().transform(asClientOrderId),
      symbol: z.string(),
      side: z.enum(['buy', 'sell']),
      qty: z.number(),
      price: z.number(),
      commission: z.number(),
      filledAt: z.string(),
    }),
  ),
  reason: z.string().optional(),
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
