import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleReport } from '../../src/app/order-settler.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { OrderStatusReport } from '../../src/domain/order.ts';
import { type Harness, startHarness } from '../support/app-harness.ts';

describe('the order lifecycle against DynamoDB Local', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('records every status an order went through, with its time and source', async () => {
    // Prepare
    const now = new Date().toISOString();

    // Act
    const { answer } = await harness.post(
      harness.alert({ symbol: 'LIFE', action: 'buy', qty: 2, price: 50, time: now }),
    );
    const order = await harness.deps.orders.get(String(answer.orderId));

    // Assess
    expect(order?.events.map(({ status, source }) => ({ status, source }))).toEqual([
      { status: 'IN_FLIGHT', source: 'webhook' },
      { status: 'FILLED', source: 'webhook' },
    ]);
    expect(order?.events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
  });

  it('refuses and logs a stale report that would move a filled order back, changing nothing', async () => {
    // Prepare: a filled order, and a stale PARTIALLY_FILLED report of it with a fill the book never saw
    const now = new Date().toISOString();
    const { answer } = await harness.post(
      harness.alert({ symbol: 'STALE', action: 'buy', qty: 4, price: 20, time: now }),
    );
    const filled = await harness.deps.orders.get(String(answer.orderId));
    if (!filled) throw new Error('the order was not recorded');
    const before = await harness.deps.book.get();
    const stale: OrderStatusReport = {
      clientOrderId: asClientOrderId(filled.clientOrderId),
      symbol: 'STALE',
      side: 'buy',
      qty: 4,
      status: 'PARTIALLY_FILLED',
      filledQty: 1,
      fills: [
        {
          fillId: 'stale-extra-fill',
          clientOrderId: asClientOrderId(filled.clientOrderId),
          symbol: 'STALE',
          side: 'buy',
          qty: 1,
          price: 20,
          commission: 0,
          filledAt: now,
        },
      ],
      updatedAt: now,
    };

    // Act
    const result = await settleReport(harness.deps, filled, stale, 'reconcile');

    // Assess
    expect(result).toEqual(filled);
    expect(await harness.deps.orders.get(filled.clientOrderId)).toEqual(filled);
    expect((await harness.deps.book.get()).symbols.STALE).toEqual(before.symbols.STALE);
    const refused = harness.logs.filter((line) => line.includes('order transition refused'));
    expect(
      refused.some((line) => line.includes(filled.clientOrderId) && line.includes('FILLED is terminal')),
    ).toBe(true);
  });
});
