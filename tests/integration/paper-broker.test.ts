import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperBroker, type PaperBrokerSettings } from '../../src/brokers/paper/paper-broker.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

const SETTINGS: PaperBrokerSettings = {
  startingCash: 100_000,
  slippageBps: 0,
  commissionPerShare: 0,
  commissionPercent: 0,
  minCommission: 0,
  partialFillRatio: 1,
  latencyMs: 0,
};

/** A market buy with a price. */
function marketBuy(id: string, symbol: string, qty: number, price: number): SubmitOrder {
  return {
    clientOrderId: asClientOrderId(id),
    symbol,
    side: 'buy',
    qty,
    type: 'market',
    timeInForce: 'day',
    referencePrice: price,
  };
}

describe('the paper broker on DynamoDB Local', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('paper');
  });
  afterAll(() => table.close());

  it('returns the order it holds when a client order id is submitted again, even after cash moved', async () => {
    // Prepare: the first submission spends 60 000 of the 100 000
    const broker = new PaperBroker(table, 'acct-resubmit', SETTINGS, () => new Date());
    const order = marketBuy('resubmit-1', 'AAPL', 600, 100);
    const first = await broker.submitOrder(order);

    // Act
    const again = await broker.submitOrder(order);

    // Assess
    expect(first).toMatchObject({ status: 'FILLED', filledQty: 600 });
    expect(again).toEqual(first);
    expect(await broker.getAccount()).toMatchObject({ cash: 40_000 });
    expect(await broker.getPositions()).toEqual([{ symbol: 'AAPL', qty: 600, avgPrice: 100 }]);
  });

  it('books fills of different symbols arriving at once without one refusing another', async () => {
    // Prepare: the account exists; 12 buys of 12 symbols; refused account writes are counted
    const broker = new PaperBroker(table, 'acct-many-symbols', SETTINGS, () => new Date());
    await broker.submitOrder(marketBuy('many-first', 'FIRST', 1, 10));
    let refused = 0;
    table.doc.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (error instanceof Error && error.name === 'ConditionalCheckFailedException') refused += 1;
          throw error;
        }
      },
      { step: 'initialize', name: 'countRefusedWrites' },
    );
    const symbols = Array.from({ length: 12 }, (_, i) => `S${i}`);

    // Act
    const reports = await Promise.all(
      symbols.map((symbol) => broker.submitOrder(marketBuy(`many-${symbol}`, symbol, 10, 50))),
    );
    table.doc.middlewareStack.remove('countRefusedWrites');

    // Assess
    expect(reports.every((report) => report.status === 'FILLED')).toBe(true);
    expect(refused).toBe(0);
    expect(await broker.getAccount()).toMatchObject({ cash: 100_000 - 10 - 12 * 500 });
    expect(await broker.getPositions()).toHaveLength(13);
  });

  it('never spends more cash than it has when buys arrive at the same moment', async () => {
    // Prepare: four buys of 30 000 against 100 000 of cash
    const broker = new PaperBroker(table, 'acct-cash-race', SETTINGS, () => new Date());
    const orders = ['A', 'B', 'C', 'D'].map((symbol) => marketBuy(`race-${symbol}`, symbol, 300, 100));

    // Act
    const results = await Promise.allSettled(orders.map((order) => broker.submitOrder(order)));

    // Assess: three fill, the fourth is refused, and cash stays at 10 000
    const filled = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(filled).toHaveLength(3);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.reason)).toContain('exceeds cash');
    expect(await broker.getAccount()).toMatchObject({ cash: 10_000 });
    expect(await broker.getPositions()).toHaveLength(3);
  });

  it('fills the rest of a partial fill once, however many look at the order at the same time', async () => {
    // Prepare
    const broker = new PaperBroker(
      table,
      'acct-partial',
      { ...SETTINGS, partialFillRatio: 0.4 },
      () => new Date(),
    );
    const order = marketBuy('partial-1', 'MSFT', 10, 300);
    const first = await broker.submitOrder(order);

    // Act
    const looks = await Promise.all(Array.from({ length: 5 }, () => broker.getOrder(order.clientOrderId)));

    // Assess
    expect(first).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 4 });
    for (const look of looks) expect(look).toMatchObject({ status: 'FILLED', filledQty: 10 });
    expect(await broker.getAccount()).toMatchObject({ cash: 97_000 });
    expect(await broker.getPositions()).toEqual([{ symbol: 'MSFT', qty: 10, avgPrice: 300 }]);
  });

  it('keeps its books in the table, so a new instance sees the same account', async () => {
    // Prepare
    const before = new PaperBroker(table, 'acct-restart', SETTINGS, () => new Date());
    await before.submitOrder(marketBuy('restart-1', 'NVDA', 5, 90));

    // Act
    const after = new PaperBroker(table, 'acct-restart', SETTINGS, () => new Date());

    // Assess
    expect(await after.getPositions()).toEqual([{ symbol: 'NVDA', qty: 5, avgPrice: 90 }]);
    expect(await after.getAccount()).toMatchObject({ cash: 99_550 });
    expect(await after.getOrder(asClientOrderId('restart-1'))).toMatchObject({ status: 'FILLED' });
  });
});
