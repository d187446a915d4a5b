/**
 * The fake's reading of a POST /v2/orders body that already passed the spec's schema: the rules
 * Alpaca's documentation states beyond the schema (what each type needs, qty xor notional, notional
 * only for market day orders, extended hours only for day/gtc limit orders, the legs each order
 * class needs), each refused with a 422 message in Alpaca's style. mleg (options) is not modelled.
 */
import { z } from 'zod';

/** Alpaca's order types. */
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
/** Alpaca's time-in-force values. */
export const TIME_IN_FORCE = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] as const;

const Decimal = z.string().optional();
const OrderRequestBody = z.object({
  symbol: z.string().optional(),
  qty: Decimal,
  notional: Decimal,
  side: z.enum(['buy', 'sell']).optional(),
  type: z.enum(ORDER_TYPES),
  time_in_force: z.enum(TIME_IN_FORCE),
  limit_price: Decimal,
  stop_price: Decimal,
  trail_price: Decimal,
  trail_percent: Decimal,
  extended_hours: z.boolean().optional(),
  client_order_id: z.string().optional(),
  order_class: z.enum(['simple', 'bracket', 'oco', 'oto', 'mleg', '']).optional(),
  take_profit: z.object({ limit_price: Decimal }).optional(),
  stop_loss: z.object({ stop_price: Decimal, limit_price: Decimal }).optional(),
  legs: z.array(z.unknown()).optional(),
});

/** An order class the fake models. */
export type FakeOrderClass = 'simple' | 'bracket' | 'oco' | 'oto';

/** A new order, read and checked. */
export interface NewOrder {
  symbol: string;
  side: 'buy' | 'sell';
  type: (typeof ORDER_TYPES)[number];
  timeInForce: (typeof TIME_IN_FORCE)[number];
  qty?: number | undefined;
  notional?: number | undefined;
  limitPrice?: number | undefined;
  stopPrice?: number | undefined;
  trailPrice?: number | undefined;
  trailPercent?: number | undefined;
  extendedHours: boolean;
  clientOrderId?: string | undefined;
  orderClass: FakeOrderClass;
  takeProfit?: { limitPrice: number } | undefined;
  stopLoss?: { stopPrice: number; limitPrice?: number | undefined } | undefined;
}

/** A checked order, or Alpaca's 422 message. */
export type ReadOrder = { ok: true; order: NewOrder } | { ok: false; message: string };

/** Reads a POST /v2/orders body. */
export function readOrderRequest(body: unknown): ReadOrder {
  const parsed = OrderRequestBody.safeParse(body);
  if (!parsed.success) return { ok: false, message: `invalid order request: ${parsed.error.message}` };
  const raw = parsed.data;
  if (raw.order_class === 'mleg' || raw.legs !== undefined)
    return refuse('the fake does not model mleg orders');
  const numbers: Record<string, number | undefined> = {};
  const decimals = {
    qty: raw.qty,
    notional: raw.notional,
    limit_price: raw.limit_price,
    stop_price: raw.stop_price,
    trail_price: raw.trail_price,
    trail_percent: raw.trail_percent,
    'take_profit.limit_price': raw.take_profit?.limit_price,
    'stop_loss.stop_price': raw.stop_loss?.stop_price,
    'stop_loss.limit_price': raw.stop_loss?.limit_price,
  };
  for (const [name, text] of Object.entries(decimals)) {
    if (text === undefined) continue;
    if (!/^\d+(\.\d{1,9})?$/.test(text) || Number(text) <= 0) return refuse(`invalid ${name}: must be > 0`);
    numbers[name] = Number(text);
  }
  if (raw.symbol === undefined || raw.symbol === '') return refuse('symbol is required');
  if (raw.side === undefined) return refuse('side is required');
  const orderClass: FakeOrderClass =
    raw.order_class === undefined || raw.order_class === '' ? 'simple' : raw.order_class;
  const order: NewOrder = {
    symbol: raw.symbol,
    side: raw.side,
    type: raw.type,
    timeInForce: raw.time_in_force,
    qty: numbers.qty,
    notional: numbers.notional,
    limitPrice: numbers.limit_price,
    stopPrice: numbers.stop_price,
    trailPrice: numbers.trail_price,
    trailPercent: numbers.trail_percent,
    extendedHours: raw.extended_hours === true,
    clientOrderId: raw.client_order_id,
    orderClass,
    takeProfit: raw.take_profit && { limitPrice: numbers['take_profit.limit_price'] ?? Number.NaN },
    stopLoss: raw.stop_loss && {
      stopPrice: numbers['stop_loss.stop_price'] ?? Number.NaN,
      limitPrice: numbers['stop_loss.limit_price'],
    },
  };
  const problem = amountProblem(order) ?? priceProblem(order) ?? classProblem(order);
  return problem === undefined ? { ok: true, order } : refuse(problem);
}

function amountProblem(order: NewOrder): string | undefined {
  if (order.qty !== undefined && order.notional !== undefined) return 'qty and notional cannot both be given';
  if (order.qty === undefined && order.notional === undefined) return 'qty or notional is required';
  const marketDay = order.type === 'market' && order.timeInForce === 'day';
  if (order.notional !== undefined && !marketDay)
    return 'notional orders must be market orders with time_in_force day';
  const fractional = order.qty !== undefined && !Number.isInteger(order.qty);
  if (fractional && !marketDay) return 'fractional orders must be market orders with time_in_force day';
  const simple = order.orderClass === 'simple';
  if ((fractional || order.notional !== undefined) && !simple)
    return 'fractional orders must be simple orders';
  if (order.extendedHours) {
    const dayOrGtc = order.timeInForce === 'day' || order.timeInForce === 'gtc';
    if (order.type !== 'limit' || !dayOrGtc) return 'extended hours orders must be DAY or GTC limit orders';
  }
  return undefined;
}

function priceProblem(order: NewOrder): string | undefined {
  const needsLimit = order.type === 'limit' || order.type === 'stop_limit';
  const needsStop = order.type === 'stop' || order.type === 'stop_limit';
  if (needsLimit && order.limitPrice === undefined) return `limit_price is required for ${order.type} orders`;
  if (!needsLimit && order.limitPrice !== undefined)
    return `limit_price is not allowed for ${order.type} orders`;
  if (needsStop && order.stopPrice === undefined) return `stop_price is required for ${order.type} orders`;
  if (!needsStop && order.stopPrice !== undefined)
    return `stop_price is not allowed for ${order.type} orders`;
  const trails = [order.trailPrice, order.trailPercent].filter((value) => value !== undefined).length;
  if (order.type === 'trailing_stop' && trails !== 1)
    return 'trailing_stop needs one of trail_price or trail_percent';
  if (order.type !== 'trailing_stop' && trails > 0)
    return `trail_price/trail_percent not allowed for ${order.type}`;
  return undefined;
}

function classProblem(order: NewOrder): string | undefined {
  const { takeProfit, stopLoss, orderClass } = order;
  if (takeProfit !== undefined && Number.isNaN(takeProfit.limitPrice))
    return 'take_profit.limit_price is required';
  if (stopLoss !== undefined && Number.isNaN(stopLoss.stopPrice)) return 'stop_loss.stop_price is required';
  if (orderClass === 'simple') {
    return takeProfit || stopLoss
      ? 'take_profit and stop_loss need order_class bracket, oco or oto'
      : undefined;
  }
  if (order.timeInForce !== 'day' && order.timeInForce !== 'gtc')
    return `${orderClass} orders must be day or gtc`;
  if (orderClass === 'oto')
    return (takeProfit === undefined) === (stopLoss === undefined)
      ? 'oto orders need take_profit or stop_loss, not both'
      : undefined;
  if (takeProfit === undefined || stopLoss === undefined)
    return `${orderClass} orders need take_profit and stop_loss`;
  if (orderClass === 'oco' && order.type !== 'limit') return 'oco orders must be limit orders';
  // The exits close a long when a bracket buys or when an OCO (itself the exit) sells.
  const closeLong = orderClass === 'oco' ? order.side === 'sell' : order.side === 'buy';
  const inverted = closeLong
    ? takeProfit.limitPrice <= stopLoss.stopPrice
    : takeProfit.limitPrice >= stopLoss.stopPrice;
  return inverted ? 'take_profit.limit_price must be on the profit side of stop_loss.stop_price' : undefined;
}

function refuse(message: string): ReadOrder {
  return { ok: false, message };
}
