/**
 * De-duplication by a log of each body's deliveries, on DynamoDB Local: a duplicate is decided and
 * recorded by one write, listed like any delivery, and the log stays short.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAlertId } from '../../src/domain/ids.ts';
import { AlertStore, LOG_LIMIT } from '../../src/store/alert-store.ts';
import { keys } from '../../src/store/table.ts';
import { harnessesPerTest } from '../support/app-harness.ts';
import { recordCommands } from '../support/record-commands.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

async function claimItem(table: TestTable, dedupeKey: string): Promise<Record<string, unknown>> {
  const result = await table.doc.send(
    new GetCommand({ TableName: table.tableName, Key: keys.dedupe(dedupeKey) }),
  );
  return result.Item ?? {};
}

describe('duplicates through the webhook', () => {
  const start = harnessesPerTest();

  it('decides and records a resend with one DynamoDB call, and lists it with its decision', async () => {
    // Prepare
    const h = await start();
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 3, price: 100 });
    const first = await h.post(body);
    h.setSourceIp('52.89.214.238');
    const sent = recordCommands(h);

    // Act
    const resend = await h.post(body);

    // Assess
    expect(resend).toMatchObject({
      status: 200,
      answer: { status: 'duplicate', duplicateOf: first.answer.alertId },
    });
    expect(sent).toEqual(['UpdateItemCommand']);
    const listed = (await h.alerts()).find((alert) => alert.alertId === resend.answer.alertId);
    expect(listed).toMatchObject({
      status: 'duplicate',
      httpStatus: 200,
      duplicateOf: first.answer.alertId,
      sourceIp: '52.89.214.238',
      symbol: 'AAPL',
    });
    expect(listed?.body).not.toContain(h.passphrase);
  });

  it('keeps a body’s log short and lists each of 40 deliveries once, newest first', async () => {
    // Prepare
    const h = await start();
    const body = h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 300 });

    // Act
    const answers = [];
    for (let i = 0; i < 40; i += 1) answers.push((await h.post(body)).answer);

    // Assess
    expect(answers.filter((answer) => answer.status === 'accepted')).toHaveLength(1);
    const listed = (await h.alerts()).filter((alert) => alert.symbol === 'MSFT');
    const listedIds = listed.map((alert) => alert.alertId);
    expect([...listedIds].sort()).toEqual(answers.map((answer) => answer.alertId).sort());
    expect(listedIds).toEqual([...listedIds].sort().reverse());
    expect(listed.filter((alert) => alert.status === 'duplicate')).toHaveLength(39);
    const dedupeKey = String((listed.at(-1) as { dedupeKey?: unknown }).dedupeKey);
    const item = await claimItem(h.table, dedupeKey);
    expect((item.log as unknown[]).length).toBeLessThanOrEqual(LOG_LIMIT);
    expect(item.gen).toBeGreaterThanOrEqual(1);
  });
});

describe('the claim log in the store', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('dedupe-log');
  });
  afterAll(() => table.close());

  it('honours a claim written before logs until its window has passed', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 300);
    const claimedAt = new Date('2026-11-24T10:00:00Z');
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.dedupe('legacy-body'),
          alertId: 'older-claim',
          claimedAt: claimedAt.toISOString(),
          expiresAt: claimedAt.getTime() / 1000 + 300,
        },
      }),
    );

    // Act
    const inside = await alerts.claim(
      'legacy-body',
      asAlertId('resend'),
      new Date(claimedAt.getTime() + 10_000),
    );
    const after = await alerts.claim(
      'legacy-body',
      asAlertId('next'),
      new Date(claimedAt.getTime() + 300_000),
    );

    // Assess
    expect(inside).toEqual({ claimed: false, duplicateOf: 'older-claim' });
    expect(after).toEqual({ claimed: true });
  });

  it('lets exactly one of 20 concurrent deliveries of a body claim it', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 300);
    const now = new Date();

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_unused, i) => alerts.claim('busy-body', asAlertId(`d${i}`), now)),
    );

    // Assess
    const claimed = results.flatMap((result, i) => (result.claimed ? [`d${i}`] : []));
    expect(claimed).toHaveLength(1);
    expect(results.filter((result) => !result.claimed)).toEqual(
      Array.from({ length: 19 }, () => ({ claimed: false, duplicateOf: claimed[0] })),
    );
  });

  it('keeps the holder through a compaction, so a resend after it is still a duplicate', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 300);
    const start = Date.now();
    for (let i = 0; i <= LOG_LIMIT; i += 1) {
      await alerts.claim('long-body', asAlertId(`e${String(i).padStart(2, '0')}`), new Date(start + i));
    }
    const compacted = await claimItem(table, 'long-body');

    // Act
    const resend = await alerts.claim('long-body', asAlertId('late'), new Date(start + 60_000));

    // Assess
    expect(compacted.log).toEqual([expect.objectContaining({ id: 'e00' })]);
    expect(resend).toEqual({ claimed: false, duplicateOf: 'e00' });
  });

  it('keeps a claim written before logs through a compaction while it holds the body', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 300);
    const claimedAt = new Date();
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.dedupe('legacy-long'), alertId: 'older-claim', claimedAt: claimedAt.toISOString() },
      }),
    );
    for (let i = 0; i <= LOG_LIMIT; i += 1) {
      await alerts.claim('legacy-long', asAlertId(`r${i}`), new Date(claimedAt.getTime() + 1_000 + i));
    }

    // Act
    const resend = await alerts.claim(
      'legacy-long',
      asAlertId('late'),
      new Date(claimedAt.getTime() + 60_000),
    );

    // Assess
    expect((await claimItem(table, 'legacy-long')).log).toEqual([expect.objectContaining({ id: 'late' })]);
    expect(resend).toEqual({ claimed: false, duplicateOf: 'older-claim' });
  });
});
