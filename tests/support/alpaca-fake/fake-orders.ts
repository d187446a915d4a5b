/**
 * The fake's order and activity records, and the exit legs an order class asks for: a bracket's
 * take-profit limit and stop-loss stop (or stop-limit) on the side that closes the entry, an OTO's
 * one exit, an OCO's stop leg on the side of its limit parent (the OCO order is itself the exit).
 */
import type { FakeOrderClass, NewOrder } from './order-request.ts';

/** Every order status of the spec. */
export const ALPACA_STATUSES = [
  'new',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
  'accepted_for_bidding',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'held',
] as const;
/** An Alpaca order status. */
export type AlpacaStatus = (typeof ALPACA_STATUSES)[number];

/** Statuses after which an order never changes again (Alpaca's "closed" orders). */
export const ENDED: ReadonlySet<AlpacaStatus> = new Set([
  'filled',
  'canceled',
  'expired',
  'rejected',
  'replaced',
]);

/** One order in the fake, legs included (a leg has a parentId). */
export interface FakeOrder extends Omit<NewOrder, 'takeProfit' | 'stopLoss' | 'clientOrderId'> {
  id: string;
  clientOrderId: string;
  assetId: string;
  orderClass: FakeOrderClass;
  status: AlpacaStatus;
  filledQty: number;
  filledValue: number;
  /** For a notional order: the quantity its first fill fixed. */
  notionalQty?: number | undefined;
  createdAt: Date;
  updatedAt: Date;
  filledAt?: Date | undefined;
  canceledAt?: Date | undefined;
  expiredAt?: Date | undefined;
  failedAt?: Date | undefined;
  legIds: string[];
  parentId?: string | undefined;
  /** Submission order, to break timestamp ties. */
  seq: number;
}

/** One FILL activity. */
export interface FakeActivity {
  id: string;
  orderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  cumQty: number;
  leavesQty: number;
  type: 'fill' | 'partial_fill';
  orderStatus: AlpacaStatus;
  transactionTime: Date;
  seq: number;
}

/** What placing an order decides; the book adds ids, times and fill state. */
export type OrderFields = Omit<FakeOrder, Generated | 'clientOrderId'> & {
  clientOrderId?: string | undefined;
};
/** The fields the book fills in when it books an order. */
type Generated =
  | 'id'
  | 'assetId'
  | 'filledQty'
  | 'filledValue'
  | 'createdAt'
  | 'updatedAt'
  | 'legIds'
  | 'seq';

/** The legs `request` asks for, given their parent; they wait `held` for a bracket or OTO entry. */
export function exitLegs(request: NewOrder, parentId: string): OrderFields[] {
  const { takeProfit, stopLoss, orderClass } = request;
  const leg = {
    symbol: request.symbol,
    side: orderClass === 'oco' ? request.side : request.side === 'buy' ? ('sell' as const) : ('buy' as const),
    timeInForce: request.timeInForce,
    qty: request.qty,
    orderClass,
    extendedHours: false,
    status: orderClass === 'oco' ? ('new' as const) : ('held' as const),
    parentId,
  };
  const legs: OrderFields[] = [];
  if (takeProfit && orderClass !== 'oco')
    legs.push({ ...leg, type: 'limit', limitPrice: takeProfit.limitPrice });
  if (stopLoss) {
    const type = stopLoss.limitPrice === undefined ? 'stop' : 'stop_limit';
    legs.push({ ...leg, type, stopPrice: stopLoss.stopPrice, limitPrice: stopLoss.limitPrice });
  }
  return legs;
}

/** yyyymmddhhmmssSSS, the time prefix of Alpaca's activity ids. */
export function compactTime(at: Date): string {
  return at.toISOString().replace(/[-:TZ.]/g, '');
}
