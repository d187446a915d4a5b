import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_INDEX } from '../../src/store/table.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

describe('the table on DynamoDB Local', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable();
  });
  afterAll(() => table.close());

  it('has the key schema and the sparse open-orders index', async () => {
    const described = await table.raw.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(described.Table?.KeySchema?.map((key) => key.AttributeName)).toEqual(['pk', 'sk']);
    expect(described.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([OPEN_INDEX]);
  });
});
