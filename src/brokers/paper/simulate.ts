/**
 * The paper broker's market model, pure. There is no market data: a market order fills at the
 * alert's price moved against the trader by the slippage; a limit order fills when that price is at
 * or through the limit, at the better of the two; stop, stop-limit and trailing-stop orders rest
 * until cancelled (nothing triggers them). With partialFillRatio < 1 the first fill takes that share
 * of the quantity and the rest fills on the broker's next look at the order.
 */
import type { OrderSide, SubmitOrder } from '../../domain/order.ts';
import { round, roundMoney } from '../../domain/position.ts';

/** Simulation settings. */
export interface PaperSettings {
  slippageBps: number;
  commissionPerShare: number;
  commissionPercent: number;
  minCommission: number;
  partialFillRatio: number;
}

/** A fill the simulation decided on. */
export interface SimulatedFill {
  qty: number;
  price: number;
  commission: number;
}

/** The price a marketable order fills at, or undefined when it does not fill now. */
export function fillPrice(order: SubmitOrder, settings: PaperSettings): number | undefined {
  const reference = order.referencePrice;
  if (reference === undefined) return undefined;
  const slipped = slip(reference, order.side, settings.slippageBps);
  if (order.type === 'market') return slipped;
  if (order.type === 'limit' && order.limitPrice !== undefined) {
    const marketable = order.side === 'buy' ? reference <= order.limitPrice : reference >= order.limitPrice;
    if (!marketable) return undefined;
    return order.side === 'buy' ? Math.min(slipped, order.limitPrice) : Math.max(slipped, order.limitPrice);
  }
  return undefined;
}

/** The quantity of the next fill, given what is already filled. */
export function nextFillQty(
  orderQty: number,
  filledQty: number,
  settings: PaperSettings,
  first: boolean,
): number {
  const remaining = round(orderQty - filledQty);
  if (!first || settings.partialFillRatio >= 1) return remaining;
  const whole = Number.isInteger(orderQty);
  const share = orderQty * settings.partialFillRatio;
  const qty = whole ? Math.max(1, Math.floor(share)) : round(share);
  return Math.min(qty, remaining);
}

/** Commission for a fill: per share plus a percentage of notional, at least the minimum. */
export function commission(qty: number, price: number, settings: PaperSettings): number {
  const raw = qty * settings.commissionPerShare + (qty * price * settings.commissionPercent) / 100;
  return roundMoney(Math.max(settings.minCommission, raw));
}

/** A price moved against the trader by `bps` basis points, to a hundredth of a cent. */
export function slip(price: number, side: OrderSide, bps: number): number {
  const factor = side === 'buy' ? 1 + bps / 10_000 : 1 - bps / 10_000;
  return Math.round(price * factor * 10_000) / 10_000;
}
