/**
 * The broker port: what every broker adapter (paper, Alpaca, Schwab) offers. Methods throw only
 * the classes in ./errors.ts.
 *
 * Invariant of every report: `fills` sum to `filledQty`, and a FILLED report carries all its fills.
 * When a broker shows more filled than the fills it lists (its fill feed lags), the adapter reports
 * only the fills it has, with the status they justify (PARTIALLY_FILLED or ACCEPTED), so the order
 * stays unsettled and a later pass completes it: a missing fill is never released as unfilled.
 */
import type { BrokerOrderId, ClientOrderId } from '../domain/ids.ts';
import type { FillReport, OrderStatusReport, PositionReport, SubmitOrder } from '../domain/order.ts';

/** Cash and equity as the broker reports them. */
export interface AccountReport {
  cash: number;
  equity: number;
  buyingPower: number;
  currency: string;
  /** True when the broker blocks trading on the account (Alpaca's trading_blocked). */
  tradingBlocked?: boolean | undefined;
}

/** The broker's market clock. */
export interface MarketClock {
  isOpen: boolean;
  /** The broker's time, ISO 8601. */
  timestamp: string;
  nextOpen: string;
  nextClose: string;
}

/** How to find one of our orders at the broker: by its id there when we learned it. */
export interface OrderRef {
  clientOrderId: ClientOrderId;
  brokerOrderId?: BrokerOrderId | undefined;
}

/** One broker connection. */
export interface BrokerPort {
  /** A short name for logs and reports ("paper", "alpaca", "schwab"). */
  readonly name: string;
  /**
   * Submits an order; the signal aborts the attempt (the outcome is then ambiguous). A second
   * submission under the same client order id returns the first order, never a second one.
   */
  submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport>;
  /** The order with this client order id, or undefined when the broker has never seen it. */
  getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined>;
  /** The order with this broker order id, or undefined when the broker does not know it. */
  getOrderByBrokerId(
    brokerOrderId: BrokerOrderId,
    signal?: AbortSignal,
  ): Promise<OrderStatusReport | undefined>;
  /** Asks the broker to cancel a working order; an order already ended is left as it is. */
  cancelOrder(ref: OrderRef): Promise<void>;
  /** Every working order. */
  listOpenOrders(): Promise<OrderStatusReport[]>;
  /** Every fill since `since`, oldest first. */
  listFillsSince(since: Date): Promise<FillReport[]>;
  /** Every non-flat position. */
  getPositions(): Promise<PositionReport[]>;
  /** Cash and equity. */
  getAccount(): Promise<AccountReport>;
  /** Whether the market is open, and when it next opens and closes. */
  getClock(): Promise<MarketClock>;
}
