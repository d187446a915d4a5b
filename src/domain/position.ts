/**
 * Position arithmetic. Quantity is signed (negative is short). A fill in the position's direction
 * moves the average price; a fill against it realizes P&L on the closed part at the average price,
 * and any remainder opens the other way at the fill price. Commissions reduce realized P&L.
 */
import type { OrderSide } from './order.ts';

/** Our position in one symbol. */
export interface Position {
  symbol: string;
  qty: number;
  avgPrice: number;
  /** Realized P&L since the position record began, net of commissions. */
  realizedPnl: number;
  commissions: number;
  /** The last price we saw for the symbol (a fill or an alert). */
  lastPrice?: number | undefined;
  /** The trading day of the last fill that opened or added to the position (for day-trade counting). */
  openedOn?: string | undefined;
  updatedAt: string;
}

/** What one fill did to a position. */
export interface FillEffect {
  position: Position;
  /** P&L realized by this fill, net of its commission. */
  realized: number;
  /** Quantity that reduced the existing position. */
  closedQty: number;
  /** Quantity that added to, or opened, a position. */
  openedQty: number;
  /** Cost basis removed by the closed part (closedQty x the old average price). */
  closedCost: number;
}

/** A flat position for `symbol`. */
export function flatPosition(symbol: string, at: string): Position {
  return { symbol, qty: 0, avgPrice: 0, realizedPnl: 0, commissions: 0, updatedAt: at };
}

/** Applies one fill to a position. */
export function applyFill(
  position: Position,
  fill: { side: OrderSide; qty: number; price: number; commission: number; at: string },
): FillEffect {
  const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
  const held = position.qty;
  const sameDirection = held === 0 || Math.sign(held) === Math.sign(signed);
  let qty: number;
  let avgPrice: number;
  let realized = -fill.commission;
  let closedQty = 0;
  let closedCost = 0;
  if (sameDirection) {
    qty = round(held + signed);
    avgPrice = (Math.abs(held) * position.avgPrice + fill.qty * fill.price) / Math.abs(qty);
  } else {
    closedQty = Math.min(Math.abs(held), fill.qty);
    closedCost = closedQty * position.avgPrice;
    realized += closedQty * (fill.price - position.avgPrice) * Math.sign(held);
    qty = round(held + signed);
    avgPrice = qty === 0 ? 0 : Math.sign(qty) === Math.sign(held) ? position.avgPrice : fill.price;
  }
  return {
    position: {
      ...position,
      qty,
      avgPrice: roundPrice(avgPrice),
      realizedPnl: roundMoney(position.realizedPnl + realized),
      commissions: roundMoney(position.commissions + fill.commission),
      lastPrice: fill.price,
      updatedAt: fill.at,
    },
    realized: roundMoney(realized),
    closedQty,
    openedQty: round(fill.qty - closedQty),
    closedCost: roundMoney(closedCost),
  };
}

/** Unrealized P&L at `price`. */
export function unrealizedPnl(position: Position, price: number): number {
  return roundMoney(position.qty * (price - position.avgPrice));
}

/** Rounds away binary noise in quantities (fractional shares go to 9 places). */
export function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Money to a hundredth of a cent. */
export function roundMoney(value: number): number {
  return Math.round(value * 1e4) / 1e4 + 0; // + 0 turns -0 into 0
}

function roundPrice(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
