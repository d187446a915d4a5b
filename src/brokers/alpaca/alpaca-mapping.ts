/**
 * Pure mapping between our orders and Alpaca's: the request body of POST /v2/orders, and the
 * status report of an Alpaca order with its FILL activities.
 *
 * Invariant (the port's): a report's fills sum to its filledQty. Alpaca's order and its FILL
 * activities are read separately, so they can disagree: activities beyond the order's filled_qty
 * (a fill landed between the two reads) are left for the next look, and when activities lag the
 * order, the report carries the fills there are, with the status they justify.
 */
import { asClientOrderId, brokerOrderId, type ClientOrderId } from '../../domain/ids.ts';
import {
  averagePrice,
  type FillReport,
  type OrderStatus,
  type OrderStatusReport,
  type SubmitOrder,
} from '../../domain/order.ts';
import type { AlpacaFillActivity, AlpacaOrder, AlpacaOrderStatus } from './alpaca-schemas.ts';

/** The body of POST /v2/orders, as the spec names and types it (decimals as strings). */
export interface AlpacaOrderRequest {
  symbol: string;
  side: 'buy' | 'sell';
  type: SubmitOrder['type'];
  time_in_force: SubmitOrder['timeInForce'];
  client_order_id: string;
  qty?: string;
  notional?: string;
  limit_price?: string;
  stop_price?: string;
  trail_percent?: string;
  extended_hours?: boolean;
  order_class?: 'bracket' | 'oto';
  take_profit?: { limit_price: string };
  stop_loss?: { stop_price: string; limit_price?: string };
}

/** A request body, or why the order cannot be sent. */
export type OrderRequestResult = { ok: true; body: AlpacaOrderRequest } | { ok: false; message: string };

const QTY_DIGITS = 9;
/** Tolerance when comparing summed decimal quantities. */
const EPSILON = 1e-9;

/**
 * A number as Alpaca's decimal string: at most 9 decimals, trailing zeros trimmed, so float noise
 * (0.1 + 0.2) never reaches the wire. Undefined for a value that is not a finite, plain number.
 */
export function formatDecimal(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e15) return undefined;
  const text = value.toFixed(QTY_DIGITS).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/** The POST /v2/orders body for `order`, or why Alpaca would refuse it (checked before any call). */
export function toOrderRequest(order: SubmitOrder): OrderRequestResult {
  const problem = problemOf(order);
  if (problem !== undefined) return { ok: false, message: problem };
  // problemOf has checked every number, so formatDecimal cannot fail here.
  const text = (value: number) => formatDecimal(value) ?? String(value);
  const body: AlpacaOrderRequest = {
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    time_in_force: order.timeInForce,
    client_order_id: order.clientOrderId,
  };
  if (order.notional !== undefined) body.notional = text(order.notional);
  else body.qty = text(order.qty);
  if (order.limitPrice !== undefined) body.limit_price = text(order.limitPrice);
  if (order.stopPrice !== undefined) body.stop_price = text(order.stopPrice);
  if (order.trailPercent !== undefined) body.trail_percent = text(order.trailPercent);
  if (order.extendedHours === true) body.extended_hours = true;
  const { takeProfit, stopLoss } = order;
  if (takeProfit !== undefined && stopLoss !== undefined) body.order_class = 'bracket';
  else if (takeProfit !== undefined || stopLoss !== undefined) body.order_class = 'oto';
  if (takeProfit !== undefined) body.take_profit = { limit_price: text(takeProfit.limitPrice) };
  if (stopLoss !== undefined) {
    body.stop_loss = { stop_price: text(stopLoss.stopPrice) };
    if (stopLoss.limitPrice !== undefined) body.stop_loss.limit_price = text(stopLoss.limitPrice);
  }
  return { ok: true, body };
}

/** Why Alpaca would refuse `order`, in its own terms, or undefined when it is sendable. */
function problemOf(order: SubmitOrder): string | undefined {
  const prices: [string, number | undefined][] = [
    ['qty', order.notional === undefined ? order.qty : undefined],
    ['notional', order.notional],
    ['limit price', order.limitPrice],
    ['stop price', order.stopPrice],
    ['trail percent', order.trailPercent],
    ['take-profit limit price', order.takeProfit?.limitPrice],
    ['stop-loss stop price', order.stopLoss?.stopPrice],
    ['stop-loss limit price', order.stopLoss?.limitPrice],
  ];
  for (const [name, value] of prices) {
    if (value === undefined) continue;
    if (formatDecimal(value) === undefined || value <= 0) return `${name} must be a positive number`;
  }
  if (order.notional !== undefined) {
    if (order.type !== 'market' || order.timeInForce !== 'day') {
      return 'a notional order must be a market order with time in force day';
    }
    if (order.takeProfit !== undefined || order.stopLoss !== undefined) {
      return 'a notional order cannot carry take-profit or stop-loss exits';
    }
  }
  const needsLimit = order.type === 'limit' || order.type === 'stop_limit';
  const needsStop = order.type === 'stop' || order.type === 'stop_limit';
  if (needsLimit && order.limitPrice === undefined) return `a ${order.type} order needs a limit price`;
  if (needsStop && order.stopPrice === undefined) return `a ${order.type} order needs a stop price`;
  if (order.type === 'trailing_stop' && order.trailPercent === undefined) {
    return 'a trailing_stop order needs a trail percent';
  }
  if (order.extendedHours === true) {
    const dayOrGtc = order.timeInForce === 'day' || order.timeInForce === 'gtc';
    if (order.type !== 'limit' || !dayOrGtc) {
      return 'extended hours are for limit orders with time in force day or gtc';
    }
  }
  if (order.clientOrderId.length > 128) return 'client order id is longer than 128 characters';
  return undefined;
}

/**
 * How each Alpaca status reads in ours. "working" is PARTIALLY_FILLED when something has filled,
 * else ACCEPTED; none of the working ones may release the order as ended.
 *
 * | Alpaca               | ours            | why                                                        |
 * |----------------------|-----------------|------------------------------------------------------------|
 * | new                  | working         | routed, live                                               |
 * | accepted             | working         | Alpaca holds it (often outside hours), routes it later     |
 * | pending_new          | working         | Alpaca holds it; SUBMITTED would regress from `accepted`   |
 * | accepted_for_bidding | working         | at the venue, being priced                                 |
 * | held                 | working         | an exit leg waiting for its entry to fill                  |
 * | partially_filled     | PARTIALLY_FILLED|                                                            |
 * | filled               | FILLED          |                                                            |
 * | done_for_day         | working         | resumes next session; not ended                            |
 * | stopped              | working         | a trade is guaranteed but has not happened                 |
 * | suspended            | working         | not eligible to trade now, yet not ended                   |
 * | calculated           | FILLED if all filled, else working: settlement pending only      |
 * | pending_replace      | working         | a replace is pending; the order still lives                |
 * | replaced             | working         | lives on as `replaced_by` (we never replace; a corporate   |
 * |                      |                 | action can): ending it would release exposure that fills   |
 * | pending_cancel       | PENDING_CANCEL  |                                                            |
 * | canceled             | CANCELED        |                                                            |
 * | expired              | EXPIRED         |                                                            |
 * | rejected             | REJECTED        |                                                            |
 */
export function statusOf(status: AlpacaOrderStatus, filledQty: number, qty: number | null): OrderStatus {
  const working: OrderStatus = filledQty > EPSILON ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  switch (status) {
    case 'filled':
      return 'FILLED';
    case 'partially_filled':
      return 'PARTIALLY_FILLED';
    case 'pending_cancel':
      return 'PENDING_CANCEL';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    case 'calculated':
      return qty !== null && filledQty >= qty - EPSILON && filledQty > 0 ? 'FILLED' : working;
    default:
      return working;
  }
}

/** Statuses whose name in ours loses something worth keeping as the report's reason. */
const EXPLAINED: ReadonlySet<AlpacaOrderStatus> = new Set([
  'done_for_day',
  'stopped',
  'suspended',
  'calculated',
  'pending_replace',
  'held',
]);

/** Our fill for one FILL activity of an order of ours (the fill id is the activity id). */
export function fillOf(activity: AlpacaFillActivity, clientOrderId: ClientOrderId): FillReport {
  return {
    fillId: activity.id,
    clientOrderId,
    symbol: activity.symbol,
    side: activity.side === 'buy' ? 'buy' : 'sell',
    qty: activity.qty,
    price: activity.price,
    commission: 0,
    filledAt: activity.transaction_time,
  };
}

/**
 * The report of `order` given the FILL activities read for it (other orders' activities are
 * ignored). Keeps the activities, oldest first, that fit within the order's filled_qty, and
 * lowers the status to what those fills justify when they fall short of it.
 */
export function toStatusReport(
  order: AlpacaOrder,
  activities: readonly AlpacaFillActivity[],
): OrderStatusReport {
  const clientOrderId = asClientOrderId(order.client_order_id);
  const fills: FillReport[] = [];
  let filled = 0;
  for (const activity of fillsOfOrder(order.id, activities)) {
    if (filled + activity.qty > order.filled_qty + EPSILON) break;
    fills.push(fillOf(activity, clientOrderId));
    filled = roundQty(filled + activity.qty);
  }
  const reported = statusOf(order.status, order.filled_qty, order.qty);
  const lagging = filled < order.filled_qty - EPSILON;
  const status: OrderStatus = lagging ? (filled > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED') : reported;
  return {
    clientOrderId,
    brokerOrderId: brokerOrderId(order.id),
    symbol: order.symbol,
    side: order.side,
    qty: order.qty ?? order.filled_qty,
    status,
    filledQty: filled,
    avgFillPrice: averagePrice(fills),
    fills,
    reason: reasonOf(order, lagging),
    updatedAt: order.updated_at ?? order.submitted_at ?? order.created_at,
  };
}

/** The activities of one order, deduplicated, oldest first. */
function fillsOfOrder(orderId: string, activities: readonly AlpacaFillActivity[]): AlpacaFillActivity[] {
  const byId = new Map<string, AlpacaFillActivity>();
  for (const activity of activities) if (activity.order_id === orderId) byId.set(activity.id, activity);
  return [...byId.values()].sort(
    (a, b) =>
      a.transaction_time.localeCompare(b.transaction_time) ||
      (a.cum_qty ?? 0) - (b.cum_qty ?? 0) ||
      a.id.localeCompare(b.id),
  );
}

function reasonOf(order: AlpacaOrder, lagging: boolean): string | undefined {
  if (lagging) return `alpaca reports ${order.filled_qty} filled; its fill feed lists less so far`;
  if (order.status === 'replaced') return `alpaca replaced the order by ${order.replaced_by ?? 'another'}`;
  if (EXPLAINED.has(order.status)) return `alpaca status ${order.status}`;
  return undefined;
}

/** A quantity rounded to Alpaca's 9 decimals. */
export function roundQty(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
