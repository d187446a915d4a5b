/**
 * The broker port: what every broker adapter (paper, Alpaca, Schwab) offers. Methods throw only
 * the classes in ./errors.ts.
 */
import type { ClientOrderId } from '../domain/ids.ts';
import type { OrderStatusReport, PositionReport, SubmitOrder } from '../domain/order.ts';

/** Cash and equity as the broker reports them. */
export interface AccountReport {
  cash: number;
  equity: number;
  buyingPower: number;
  currency: string;
}

/** One broker connection. */
export interface BrokerPort {
  /** A short name for logs and reports ("paper", "alpaca"). */
  readonly name: string;
  /** Submits an order; the signal aborts the attempt (the outcome is then ambiguous). */
  submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport>;
  /** The order with this client order id, or undefined when the broker has never seen it. */
  getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined>;
  /** Asks the broker to cancel a working order. */
  cancelOrder(clientOrderId: ClientOrderId): Promise<void>;
  /** Every working order. */
  listOpenOrders(): Promise<OrderStatusReport[]>;
  /** Every non-flat position. */
  getPositions(): Promise<PositionReport[]>;
  /** Cash and equity. */
  getAccount(): Promise<AccountReport>;
}
