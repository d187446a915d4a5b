/**
 * The Schwab adapter's memory of our orders, backed by our order table: Schwab has no client order
 * id, so an order whose submission answer was lost is found again from what we recorded about it.
 */
import type { RecalledOrder, SchwabOrderMemory } from '../brokers/schwab/schwab-memory.ts';
import type { BrokerOrderId, ClientOrderId } from '../domain/ids.ts';
import type { OrderStore } from '../store/order-store.ts';

/** Our order records, as the Schwab adapter asks for them. */
export function schwabOrderMemory(orders: OrderStore): SchwabOrderMemory {
  return {
    recall: async (clientOrderId): Promise<RecalledOrder | undefined> => {
      const order = await orders.get(clientOrderId);
      if (order === undefined) return undefined;
      const { symbol, side, qty, createdAt, brokerOrderId, effect } = order;
      return { symbol, side, qty, submittedAt: createdAt, brokerOrderId, effect };
    },
    claimedBrokerOrderIds: async (since) => {
      const claimed = new Map<BrokerOrderId, ClientOrderId>();
      for (const order of await orders.listSince(since)) {
        if (order.brokerOrderId !== undefined) claimed.set(order.brokerOrderId, order.clientOrderId);
      }
      return claimed;
    },
  };
}
