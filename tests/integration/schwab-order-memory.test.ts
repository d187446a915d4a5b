// The Schwab adapter's memory of our orders, backed by the order table (Schwab has no client order id).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schwabOrderMemory } from '../../src/app/schwab-order-memory.ts';
import { alertIdFactory, brokerOrderId, clientOrderIdFor } from '../../src/domain/ids.ts';
import { OrderStore } from '../../src/store/order-store.ts';
import { orderRecord } from '../support/app-harness.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

describe('the Schwab order memory over the order table', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('schwab-memory');
  });
  afterAll(() => table.close());

  /** An order recorded as the webhook records it: its client order id carries the alert's time. */
  function ourOrder(accountId: string, at: Date, fields: { symbol: string; brokerId?: string }) {
    const alertId = alertIdFactory(() => 'abcdef012345')(at);
    return {
      ...orderRecord(accountId, { id: 'x', symbol: fields.symbol, qty: 3, createdAt: at, effect: 'reduce' }),
      alertId,
      clientOrderId: clientOrderIdFor(alertId, 1),
      ...(fields.brokerId ? { brokerOrderId: brokerOrderId(fields.brokerId) } : {}),
    };
  }

  it('recalls what we sent: symbol, side, quantity, time, effect and the broker id once known', async () => {
    // Prepare
    const orders = new OrderStore(table, 'recall');
    const at = new Date('2026-11-24T15:00:00Z');
    const order = ourOrder('recall', at, { symbol: 'AAPL', brokerId: '1000000001' });
    await orders.create(order);

    // Act
    const recalled = await schwabOrderMemory(orders).recall(order.clientOrderId);

    // Assess
    expect(recalled).toEqual({
      symbol: 'AAPL',
      side: 'buy',
      qty: 3,
      submittedAt: at.toISOString(),
      brokerOrderId: '1000000001',
      effect: 'reduce',
    });
    expect(await schwabOrderMemory(orders).recall(clientOrderIdFor(order.alertId, 2))).toBeUndefined();
  });

  it('names the broker ids our orders since a time hold, and only those', async () => {
    // Prepare
    const orders = new OrderStore(table, 'claimed');
    const since = new Date('2026-11-24T15:00:00Z');
    const before = ourOrder('claimed', new Date(since.getTime() - 60_000), { symbol: 'MSFT', brokerId: '1' });
    const after = ourOrder('claimed', new Date(since.getTime() + 1_000), { symbol: 'MSFT', brokerId: '2' });
    const unknown = ourOrder('claimed', new Date(since.getTime() + 2_000), { symbol: 'MSFT' });
    for (const order of [before, after, unknown]) await orders.create(order);
    await new OrderStore(table, 'other').create(
      ourOrder('other', new Date(since.getTime() + 3_000), { symbol: 'MSFT', brokerId: '3' }),
    );

    // Act
    const claimed = await schwabOrderMemory(orders).claimedBrokerOrderIds(since);

    // Assess
    expect([...claimed.entries()]).toEqual([['2', after.clientOrderId]]);
  });
});
