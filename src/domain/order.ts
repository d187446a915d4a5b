/**
 * Orders: what we ask a broker for, and the reports a broker gives back. Status names follow
 * nautilus_trader. IN_FLIGHT means the submission was sent but its outcome is not known yet;
 * reconciliation settles it.
 */
import type { BrokerOrderId, ClientOrderId } from './ids.ts';

/** Buy or sell. */
export type OrderSide = 'buy' | 'sell';
/** Order types the alert may ask for. */
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
/** Time in force. */
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';

/** Every status an order of ours can have. */
export const ORDER_STATUSES = [
  'INITIALIZED',
  'IN_FLIGHT',
  'SUBMITTED',
  'ACCEPTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'PENDING_CANCEL',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
] as const;
/** An order's status. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

/** True when no further fills can arrive for an order in this status. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/** Command: submit this order to a broker. */
export interface SubmitOrder {
  clientOrderId: ClientOrderId;
  symbol: string;
  side: OrderSide;
  qty: number;
  type: OrderType;
  timeInForce: TimeInForce;
  limitPrice?: number | undefined;
  stopPrice?: number | undefined;
  trailPercent?: number | undefined;
  /** The price the alert carried; the paper broker fills market orders against it. */
  referencePrice?: number | undefined;
  /** Allowed to fill outside regular hours (limit orders, day or gtc). */
  extendedHours?: boolean | undefined;
  /** Attached exits: both make a bracket, one alone with a limit entry's exit makes an OTO. */
  takeProfit?: { limitPrice: number } | undefined;
  stopLoss?: { stopPrice: number; limitPrice?: number | undefined } | undefined;
  /** Send as a dollar amount instead of a quantity (market day orders; `qty` is the estimate). */
  notional?: number | undefined;
}

/** One execution reported by a broker. */
export interface FillReport {
  fillId: string;
  clientOrderId: ClientOrderId;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  commission: number;
  filledAt: string;
}

/** A broker's view of one order. `fills` holds every fill so far, oldest first. */
export interface OrderStatusReport {
  clientOrderId: ClientOrderId;
  /** Absent when the broker never assigned one (the order was refused before it existed). */
  brokerOrderId?: BrokerOrderId | undefined;
  symbol: string;
  side: OrderSide;
  qty: number;
  status: OrderStatus;
  filledQty: number;
  avgFillPrice?: number | undefined;
  fills: FillReport[];
  reason?: string | undefined;
  updatedAt: string;
}

/** A broker's view of one position. Signed quantity: negative is short. */
export interface PositionReport {
  symbol: string;
  qty: number;
  avgPrice: number;
}

/** Volume-weighted average price of fills, or undefined when there are none. */
export function averagePrice(fills: readonly FillReport[]): number | undefined {
  const qty = fills.reduce((sum, fill) => sum + fill.qty, 0);
  if (qty === 0) return undefined;
  return Math.round((fills.reduce((sum, fill) => sum + fill.qty * fill.price, 0) / qty) * 1e6) / 1e6;
}
