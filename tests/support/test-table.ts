/**
 * A fresh table on the suite's DynamoDB Local for each test file (or test), so tests never see each
 * other's data.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createDynamoClients, ensureTable, type TableRef } from '../../src/store/table.ts';

/** A table made for one test, with its clients. */
export interface TestTable extends TableRef {
  endpoint: string;
  raw: ReturnType<typeof createDynamoClients>['raw'];
  close(): void;
}

/** Creates a uniquely named table on DynamoDB Local. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = inject('dynamoEndpoint');
  const { raw, doc } = createDynamoClients({ endpoint, region: 'us-east-1' });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(raw, tableName);
  return { endpoint, raw, doc, tableName, close: () => raw.destroy() };
}
