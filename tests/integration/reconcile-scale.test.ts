import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reconcileOnce } from '../../src/app/reconcile-pass.ts';
import type { OrderRecord } from '../../src/store/order-store.ts';
import { keys } from '../../src/store/table.ts';
import { type Harness, manualClock, orderRecord, startHarness } from '../support/app-harness.ts';

const NOW = '2026-11-23T15:00:00Z';
const SETTLED = 3000;
const OPEN = 10;

/** Every DynamoDB command the harness's client sends, with the items a Query or Scan read. */
interface Sent {
  command: string;
  index?: string | undefined;
  count?: number | undefined;
  scanned?: number | undefined;
}

/** Records every command sent through the harness's client from now on. */
function recordCommands(h: Harness): Sent[] {
  const sent: Sent[] = [];
  h.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = z.object({ IndexName: z.string().optional() }).safeParse(args.input);
      const output = z
        .object({ Count: z.number().optional(), ScannedCount: z.number().optional() })
        .safeParse(result.output);
      sent.push({
        command: context.commandName ?? 'unknown',
        index: input.success ? input.data.IndexName : undefined,
        count: output.success ? output.data.Count : undefined,
        scanned: output.success ? output.data.ScannedCount : undefined,
      });
      return result;
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

/** Writes settled orders as OrderStore.update leaves them (out of the open index), 25 to a batch. */
async function writeSettled(h: Harness, orders: readonly OrderRecord[]): Promise<void> {
  const batches: OrderRecord[][] = [];
  for (let i = 0; i < orders.length; i += 25) batches.push(orders.slice(i, i + 25));
  const writeBatch = async (batch: OrderRecord[]) => {
    let requests: Record<string, unknown>[] = batch.map((order) => ({
      PutRequest: { Item: { ...keys.order(order.accountId, order.clientOrderId), ...order } },
    }));
    while (requests.length > 0) {
      const result = await h.table.doc.send(
        new BatchWriteCommand({ RequestItems: { [h.table.tableName]: requests } }),
      );
      requests = result.UnprocessedItems?.[h.table.tableName] ?? [];
    }
  };
  for (let i = 0; i < batches.length; i += 8) await Promise.all(batches.slice(i, i + 8).map(writeBatch));
}

/** How many orders the account holds, counted page by page over its partition. */
async function countOrders(h: Harness): Promise<number> {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await h.table.doc.send(
      new QueryCommand({
        TableName: h.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.book(h.deps.accountId).pk, ':prefix': 'ORDER#' },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return total;
}

describe('the cost of a reconcile pass', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it(`checks only the ${OPEN} open orders and reads no item of the ${SETTLED} settled ones`, async () => {
    // Prepare
    h = await startHarness({ now: manualClock(NOW).now });
    const harness = h;
    const base = Date.parse(NOW) - 24 * 3600_000;
    const settled = Array.from({ length: SETTLED }, (_, i) =>
      orderRecord(harness.deps.accountId, {
        id: `old${String(i).padStart(4, '0')}`,
        symbol: 'AAPL',
        qty: 1,
        createdAt: new Date(base + i * 1000),
        status: 'FILLED',
        filledQty: 1,
        settled: true,
      }),
    );
    await writeSettled(harness, settled);
    const open = Array.from({ length: OPEN }, (_, i) =>
      orderRecord(harness.deps.accountId, {
        id: `open${i}`,
        symbol: 'MSFT',
        qty: 1,
        createdAt: new Date(Date.parse(NOW) - 5_000),
      }),
    );
    for (const order of open) await harness.deps.orders.create(order);
    const stored = await countOrders(harness);
    const sent = recordCommands(harness);

    // Act
    const report = await reconcileOnce(harness.deps);

    // Assess
    expect(report).toMatchObject({ ordersChecked: OPEN, stillOpen: OPEN, errors: [] });
    const reads = sent.filter((s) => s.command === 'QueryCommand' || s.command === 'ScanCommand');
    expect(reads).toEqual([{ command: 'QueryCommand', index: 'gsi1', count: OPEN, scanned: OPEN }]);
    const itemsRead = reads.reduce((sum, s) => sum + (s.scanned ?? 0), 0);
    expect(itemsRead).toBe(OPEN);
    expect(sent.length).toBeLessThan(5 * OPEN);
    expect(stored).toBe(SETTLED + OPEN);
  });
});
