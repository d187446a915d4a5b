/**
 * A hand-written fake of our BrokerPort whose orders rest until cancelled: it never fills and never
 * expires anything by itself, so tests decide what reconciliation meets at the session end. It can be
 * told to ignore cancel requests and to fail position reports.
 */
import { BrokerUnavailableError } from '../../src/brokers/errors.ts';
import type { AccountReport, BrokerPort, MarketClock, OrderRef } from '../../src/brokers/port.ts';
import { type BrokerOrderId, brokerOrderId, type ClientOrderId } from '../../src/domain/ids.ts';
import type { FillReport, OrderStatusReport, PositionReport, SubmitOrder } from '../../src/domain/order.ts';

/** A broker that accepts every order and leaves it working. */
export class RestingBroker implements BrokerPort {
  readonly name = 'resting';
  /** When true, cancel requests are acknowledged and nothing changes (the order keeps working). */
  ignoreCancels = false;
  /** When true, getPositions fails as if the broker were down. */
  failPositions = false;
  /** Positions to report. */
  positions: PositionReport[] = [];
  /** Every cancel request received, in order. */
  readonly cancelRequests: ClientOrderId[] = [];
  private readonly orders = new Map<string, OrderStatusReport>();

  constructor(private readonly now: () => Date) {}

  async submitOrder(order: SubmitOrder): Promise<OrderStatusReport> {
    const known = this.orders.get(order.clientOrderId);
    if (known) return known;
    const report: OrderStatusReport = {
      clientOrderId: order.clientOrderId,
      brokerOrderId: brokerOrderId(`resting-${order.clientOrderId}`),
      symbol: order.symbol,
      side: order.side,
      qty: order.qty,
      status: 'ACCEPTED',
      filledQty: 0,
      fills: [],
      updatedAt: this.now().toISOString(),
    };
    this.orders.set(order.clientOrderId, report);
    return report;
  }

  async getOrder(clientOrderId: ClientOrderId): Promise<OrderStatusReport | undefined> {
    return this.orders.get(clientOrderId);
  }

  async getOrderByBrokerId(id: BrokerOrderId): Promise<OrderStatusReport | undefined> {
    return [...this.orders.values()].find((order) => order.brokerOrderId === id);
  }

  async cancelOrder({ clientOrderId }: OrderRef): Promise<void> {
    this.cancelRequests.push(clientOrderId);
    const order = this.orders.get(clientOrderId);
    if (!order || this.ignoreCancels || order.status !== 'ACCEPTED') return;
    this.orders.set(clientOrderId, { ...order, status: 'CANCELED', updatedAt: this.now().toISOString() });
  }

  async listOpenOrders(): Promise<OrderStatusReport[]> {
    return [...this.orders.values()].filter((order) => order.status === 'ACCEPTED');
  }

  async getPositions(): Promise<PositionReport[]> {
    if (this.failPositions) throw new BrokerUnavailableError('positions endpoint is down', false);
    return this.positions;
  }

  async listFillsSince(): Promise<FillReport[]> {
    return [];
  }

  async getClock(): Promise<MarketClock> {
    const at = this.now().toISOString();
    return { isOpen: true, timestamp: at, nextOpen: at, nextClose: at };
  }

  async getAccount(): Promise<AccountReport> {
    return { cash: 100_000, equity: 100_000, buyingPower: 100_000, currency: 'USD' };
  }
}
