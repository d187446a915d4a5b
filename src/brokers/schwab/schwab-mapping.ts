/**
 * From our SubmitOrder to the order JSON Schwab's POST /accounts/{hash}/orders takes. Pure.
 *
 * - session: NORMAL; SEAMLESS (regular and extended hours) when `extendedHours` is set on a limit order.
 * - duration: day DAY, gtc GOOD_TILL_CANCEL, fok FILL_OR_KILL, ioc IMMEDIATE_OR_CANCEL; opg and cls
 *   are refused (Schwab has no such duration).
 * - orderType: MARKET, LIMIT (price), STOP (stopPrice), STOP_LIMIT (both), TRAILING_STOP
 *   (stopPriceLinkBasis LAST, stopPriceLinkType PERCENT, stopPriceOffset = trailPercent).
 * - instruction: SubmitOrder has no position effect, so it comes from our own record of the order
 *   (SchwabOrderMemory.recall's `effect`): buy+open BUY, buy+reduce BUY_TO_COVER, sell+reduce SELL,
 *   sell+open SELL_SHORT. Without a record: BUY or SELL, and Schwab decides (it refuses a SELL that
 *   would open a short).
 * - strategy: SINGLE; with exits, TRIGGER whose child is the exit (one exit) or an OCO of a LIMIT
 *   take-profit and a STOP (or STOP_LIMIT) stop-loss (both exits). Exits close what the entry opens
 *   (SELL after a buy, BUY_TO_COVER after a short sale) and last as long as the entry (DAY, or
 *   GOOD_TILL_CANCEL for a gtc entry; DAY after an ioc or fok entry), as Alpaca's brackets do.
 * - quantity: whole shares only (the API takes no fractions); a notional order is sent as its `qty`.
 * - prices: two decimals, four below one dollar (Schwab's equity ticks).
 *
 * Schwab's statuses, and ours (before fills are counted, see schwab-reports.ts):
 *
 * | Schwab | ours |
 * |---|---|
 * | NEW, PENDING_ACKNOWLEDGEMENT | SUBMITTED: received, not yet acknowledged |
 * | ACCEPTED, WORKING, QUEUED, PENDING_ACTIVATION, AWAITING_PARENT_ORDER, AWAITING_CONDITION, AWAITING_STOP_CONDITION, AWAITING_MANUAL_REVIEW, AWAITING_UR_OUT, AWAITING_RELEASE_TIME, PENDING_REPLACE | ACCEPTED: Schwab holds it and it may still fill |
 * | PENDING_CANCEL, PENDING_RECALL | PENDING_CANCEL |
 * | FILLED | FILLED |
 * | CANCELED | CANCELED |
 * | REPLACED | CANCELED: another order took its place; this one no longer works |
 * | REJECTED | REJECTED |
 * | EXPIRED | EXPIRED |
 * | UNKNOWN, anything new | ACCEPTED: never end an order on a status we do not know |
 *
 * Every waiting status maps to ACCEPTED rather than SUBMITTED because Schwab can move an order
 * between them in either direction (QUEUED before the open, then WORKING), and our state machine
 * refuses ACCEPTED -> SUBMITTED.
 */
import type { OrderEffect } from '../../domain/book.ts';
import type { OrderSide, OrderStatus, SubmitOrder, TimeInForce } from '../../domain/order.ts';

/** Schwab's equity instructions. */
export type SchwabInstruction = 'BUY' | 'SELL' | 'SELL_SHORT' | 'BUY_TO_COVER';
/** Durations we send. */
export type SchwabDuration = 'DAY' | 'GOOD_TILL_CANCEL' | 'FILL_OR_KILL' | 'IMMEDIATE_OR_CANCEL';
/** Order types we send. */
export type SchwabOrderType = 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT' | 'TRAILING_STOP';

/** One equity leg of an order request. */
export interface SchwabLegRequest {
  instruction: SchwabInstruction;
  quantity: number;
  instrument: { symbol: string; assetType: 'EQUITY' };
}

/** A single order, possibly triggering children. */
export interface SchwabSingleRequest {
  orderStrategyType: 'SINGLE' | 'TRIGGER';
  session: 'NORMAL' | 'SEAMLESS';
  duration: SchwabDuration;
  orderType: SchwabOrderType;
  price?: number;
  stopPrice?: number;
  stopPriceLinkBasis?: 'LAST';
  stopPriceLinkType?: 'PERCENT';
  stopPriceOffset?: number;
  orderLegCollection: [SchwabLegRequest];
  childOrderStrategies?: SchwabOrderRequest[];
}

/** One-cancels-other: a holder of two orders with no legs of its own. */
export interface SchwabOcoRequest {
  orderStrategyType: 'OCO';
  childOrderStrategies: [SchwabSingleRequest, SchwabSingleRequest];
}

/** The body of POST /accounts/{hash}/orders. */
export type SchwabOrderRequest = SchwabSingleRequest | SchwabOcoRequest;

/** The mapping's outcome: the request, or why Schwab cannot take the order. */
export type SchwabMapping =
  | { ok: true; request: SchwabSingleRequest }
  | { ok: false; code: string; message: string };

const DURATIONS: Partial<Record<TimeInForce, SchwabDuration>> = {
  day: 'DAY',
  gtc: 'GOOD_TILL_CANCEL',
  fok: 'FILL_OR_KILL',
  ioc: 'IMMEDIATE_OR_CANCEL',
};

const STATUSES: Readonly<Record<string, OrderStatus>> = {
  NEW: 'SUBMITTED',
  PENDING_ACKNOWLEDGEMENT: 'SUBMITTED',
  ACCEPTED: 'ACCEPTED',
  WORKING: 'ACCEPTED',
  QUEUED: 'ACCEPTED',
  PENDING_ACTIVATION: 'ACCEPTED',
  AWAITING_PARENT_ORDER: 'ACCEPTED',
  AWAITING_CONDITION: 'ACCEPTED',
  AWAITING_STOP_CONDITION: 'ACCEPTED',
  AWAITING_MANUAL_REVIEW: 'ACCEPTED',
  AWAITING_UR_OUT: 'ACCEPTED',
  AWAITING_RELEASE_TIME: 'ACCEPTED',
  PENDING_REPLACE: 'ACCEPTED',
  PENDING_CANCEL: 'PENDING_CANCEL',
  PENDING_RECALL: 'PENDING_CANCEL',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  REPLACED: 'CANCELED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
};

/** Our status for a Schwab status, before fills are counted (see the table above). */
export function statusOf(schwabStatus: string): OrderStatus {
  return STATUSES[schwabStatus] ?? 'ACCEPTED';
}

/** The instruction for a side, given whether the order opens or reduces a position (when known). */
export function instructionFor(side: OrderSide, effect: OrderEffect | undefined): SchwabInstruction {
  if (side === 'buy') return effect === 'reduce' ? 'BUY_TO_COVER' : 'BUY';
  return effect === 'open' ? 'SELL_SHORT' : 'SELL';
}

/** The side an instruction trades on. */
export function sideOfInstruction(instruction: string): OrderSide {
  return instruction.startsWith('BUY') ? 'buy' : 'sell';
}

/** A price rounded to Schwab's equity tick: cents, or hundredths of a cent below one dollar. */
export function schwabPrice(value: number): number {
  const factor = Math.abs(value) < 1 ? 10_000 : 100;
  return Math.round(value * factor) / factor;
}

/** The Schwab order for `order` with `instruction` on its entry leg. */
export function toSchwabOrder(order: SubmitOrder, instruction: SchwabInstruction): SchwabMapping {
  const duration = DURATIONS[order.timeInForce];
  if (duration === undefined) {
    return refuse('UNSUPPORTED_TIME_IN_FORCE', `Schwab has no ${order.timeInForce} duration`);
  }
  if (!Number.isInteger(order.qty) || order.qty <= 0) {
    return refuse('FRACTIONAL_QUANTITY', `Schwab's API trades whole shares; got ${order.qty}`);
  }
  if (order.extendedHours && order.type !== 'limit') {
    return refuse('UNSUPPORTED_ORDER', 'Schwab trades extended hours with limit orders only');
  }
  const priced = prices(order);
  if (!priced.ok) return priced;
  const entry: SchwabSingleRequest = {
    orderStrategyType: 'SINGLE',
    session: order.extendedHours ? 'SEAMLESS' : 'NORMAL',
    duration,
    ...priced.fields,
    orderLegCollection: [leg(order.symbol, instruction, order.qty)],
  };
  const exits = exitOrders(order, instruction, duration);
  if (exits === undefined) return { ok: true, request: entry };
  return { ok: true, request: { ...entry, orderStrategyType: 'TRIGGER', childOrderStrategies: [exits] } };
}

type PriceFields = Pick<
  SchwabSingleRequest,
  'orderType' | 'price' | 'stopPrice' | 'stopPriceLinkBasis' | 'stopPriceLinkType' | 'stopPriceOffset'
>;

function prices(
  order: SubmitOrder,
): { ok: true; fields: PriceFields } | { ok: false; code: string; message: string } {
  const { limitPrice, stopPrice, trailPercent } = order;
  switch (order.type) {
    case 'market':
      return { ok: true, fields: { orderType: 'MARKET' } };
    case 'limit':
      if (limitPrice === undefined) return refuse('INVALID_ORDER', 'a limit order needs a limit price');
      return { ok: true, fields: { orderType: 'LIMIT', price: schwabPrice(limitPrice) } };
    case 'stop':
      if (stopPrice === undefined) return refuse('INVALID_ORDER', 'a stop order needs a stop price');
      return { ok: true, fields: { orderType: 'STOP', stopPrice: schwabPrice(stopPrice) } };
    case 'stop_limit':
      if (limitPrice === undefined || stopPrice === undefined) {
        return refuse('INVALID_ORDER', 'a stop-limit order needs a stop price and a limit price');
      }
      return {
        ok: true,
        fields: {
          orderType: 'STOP_LIMIT',
          price: schwabPrice(limitPrice),
          stopPrice: schwabPrice(stopPrice),
        },
      };
    case 'trailing_stop':
      if (trailPercent === undefined) return refuse('INVALID_ORDER', 'a trailing stop needs a trail percent');
      return {
        ok: true,
        fields: {
          orderType: 'TRAILING_STOP',
          stopPriceLinkBasis: 'LAST',
          stopPriceLinkType: 'PERCENT',
          stopPriceOffset: trailPercent,
        },
      };
  }
}

/** The exits attached to an entry: one SINGLE, an OCO of two, or none. */
function exitOrders(
  order: SubmitOrder,
  entry: SchwabInstruction,
  entryDuration: SchwabDuration,
): SchwabOrderRequest | undefined {
  const instruction: SchwabInstruction = sideOfInstruction(entry) === 'buy' ? 'SELL' : 'BUY_TO_COVER';
  const duration: SchwabDuration = entryDuration === 'GOOD_TILL_CANCEL' ? 'GOOD_TILL_CANCEL' : 'DAY';
  const exit = (fields: PriceFields): SchwabSingleRequest => ({
    orderStrategyType: 'SINGLE',
    session: 'NORMAL',
    duration,
    ...fields,
    orderLegCollection: [leg(order.symbol, instruction, order.qty)],
  });
  const takeProfit =
    order.takeProfit && exit({ orderType: 'LIMIT', price: schwabPrice(order.takeProfit.limitPrice) });
  const stopLoss =
    order.stopLoss &&
    exit(
      order.stopLoss.limitPrice === undefined
        ? { orderType: 'STOP', stopPrice: schwabPrice(order.stopLoss.stopPrice) }
        : {
            orderType: 'STOP_LIMIT',
            stopPrice: schwabPrice(order.stopLoss.stopPrice),
            price: schwabPrice(order.stopLoss.limitPrice),
          },
    );
  if (takeProfit && stopLoss)
    return { orderStrategyType: 'OCO', childOrderStrategies: [takeProfit, stopLoss] };
  return takeProfit || stopLoss || undefined;
}

function leg(symbol: string, instruction: SchwabInstruction, quantity: number): SchwabLegRequest {
  return { instruction, quantity, instrument: { symbol, assetType: 'EQUITY' } };
}

function refuse(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}
