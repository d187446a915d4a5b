/**
 * Schwab has no client order id: an order is known there only by the id Schwab gives it, in the
 * Location header of the answer to the POST. When that answer is lost (a timeout, a reset after
 * sending), the order can only be found again by what it looks like. This module holds the memory of
 * our own orders the adapter needs for that (backed by our order table), and the pure matching rule:
 *
 * a Schwab order matches one of ours when it was entered no earlier than a few seconds (clock skew)
 * before we submitted ours and within the match window after, has the same symbol, the same side and
 * the same quantity, and is not already claimed by another of our orders. The earliest match wins
 * (ties: the lower Schwab order id). No match: Schwab never got the order.
 */
import type { OrderEffect } from '../../domain/book.ts';
import type { BrokerOrderId, ClientOrderId } from '../../domain/ids.ts';
import type { OrderSide } from '../../domain/order.ts';
import { sideOfInstruction } from './schwab-mapping.ts';
import type { SchwabOrder } from './schwab-schemas.ts';

/** What we recorded about one of our orders. */
export interface RecalledOrder {
  symbol: string;
  side: OrderSide;
  qty: number;
  /** When we first sent it to Schwab, ISO 8601. */
  submittedAt: string;
  /** Schwab's id for it, once we learned it. */
  brokerOrderId?: BrokerOrderId | undefined;
  /** Whether it opens or reduces a position: chooses SELL_SHORT and BUY_TO_COVER. */
  effect?: OrderEffect | undefined;
}

/** Our own records of the orders we sent to Schwab. */
export interface SchwabOrderMemory {
  /** Our record of the order with this client order id, or undefined when we never made it. */
  recall(clientOrderId: ClientOrderId): Promise<RecalledOrder | undefined>;
  /**
   * The Schwab order ids our orders submitted since `since` are known by, each with our client order
   * id: those Schwab orders are claimed, and the map names them in reports.
   */
  claimedBrokerOrderIds(since: Date): Promise<ReadonlyMap<BrokerOrderId, ClientOrderId>>;
}

/** How far the matching looks around our submission time. */
export interface MatchWindow {
  /** Schwab's clock may run this far behind ours. */
  skewMs: number;
  /** A lost submission reached Schwab at most this long after we first sent it. */
  windowMs: number;
}

/** The default window: 5 s of skew, 2 minutes after the submission. */
export const DEFAULT_MATCH_WINDOW: MatchWindow = { skewMs: 5_000, windowMs: 120_000 };

/** The time range to list Schwab orders in when looking for `recalled`. */
export function matchRange(recalled: RecalledOrder, window: MatchWindow): { from: Date; to: Date } {
  const at = Date.parse(recalled.submittedAt);
  return { from: new Date(at - window.skewMs), to: new Date(at + window.windowMs) };
}

/** The Schwab order that is `recalled`, by the rule in the module comment, or undefined. */
export function matchLostOrder(
  recalled: RecalledOrder,
  candidates: readonly SchwabOrder[],
  claimed: ReadonlySet<string>,
  window: MatchWindow,
): SchwabOrder | undefined {
  const { from, to } = matchRange(recalled, window);
  const matches = candidates.filter((order) => {
    const leg = order.orderLegCollection[0];
    const entered = Date.parse(order.enteredTime);
    return (
      leg !== undefined &&
      !claimed.has(order.orderId) &&
      entered >= from.getTime() &&
      entered <= to.getTime() &&
      leg.instrument.symbol === recalled.symbol &&
      sideOfInstruction(leg.instruction) === recalled.side &&
      order.quantity === recalled.qty
    );
  });
  return matches.sort(
    (a, b) => a.enteredTime.localeCompare(b.enteredTime) || Number(a.orderId) - Number(b.orderId),
  )[0];
}
