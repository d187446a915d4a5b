/**
 * Finding one of our orders at its broker: by the broker's id once we learned it, else by our client
 * order id (the only key an order whose submission timed out has).
 */
import type { BrokerPort } from '../brokers/port.ts';
import type { OrderStatusReport } from '../domain/order.ts';
import type { OrderRecord } from '../store/order-store.ts';

/** The broker's report of `order`, or undefined when the broker does not know it. */
export function lookUpOrder(
  broker: BrokerPort,
  order: Pick<OrderRecord, 'clientOrderId' | 'brokerOrderId'>,
  signal?: AbortSignal,
): Promise<OrderStatusReport | undefined> {
  return order.brokerOrderId === undefined
    ? broker.getOrder(order.clientOrderId, signal)
    : broker.getOrderByBrokerId(order.brokerOrderId, signal);
}
