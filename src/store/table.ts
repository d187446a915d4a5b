/**
 * The single DynamoDB table: key layout, the sparse open-orders index, TTL, and the client.
 * The CDK stack and the local runner create the table from TABLE_DEFINITION, so they cannot drift.
 *
 *   pk                 sk                      what
 *   ACCT#<account>     BOOK                    risk state and positions (one item per account)
 *   ACCT#<account>     ORDER#<clientOrderId>   our order, with its fills; in GSI1 while unsettled
 *   ALERTS#<utc day>   <alertId>               one delivery of an alert and its decision (TTL)
 *   DEDUPE#<hash>      DEDUPE                  log of the deliveries of an alert body: the claim, duplicates (TTL)
 *   PAPER#<account>    ACCOUNT                 paper broker: cash and positions
 *   PAPER#<account>    ORDER#<clientOrderId>   paper broker: its order; in GSI1 while working
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** The name of the TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
/** The sparse index of unsettled orders. */
export const OPEN_INDEX = 'gsi1';

/** Key builders. */
export const keys = {
  book: (accountId: string) => ({ pk: `ACCT#${accountId}`, sk: 'BOOK' }),
  order: (accountId: string, clientOrderId: string) => ({
    pk: `ACCT#${accountId}`,
    sk: `ORDER#${clientOrderId}`,
  }),
  openOrders: (accountId: string) => `OPEN#${accountId}`,
  alert: (day: string, alertId: string) => ({ pk: `ALERTS#${day}`, sk: alertId }),
  dedupe: (hash: string) => ({ pk: `DEDUPE#${hash}`, sk: 'DEDUPE' }),
  paperAccount: (accountId: string) => ({ pk: `PAPER#${accountId}`, sk: 'ACCOUNT' }),
  paperOrder: (accountId: string, clientOrderId: string) => ({
    pk: `PAPER#${accountId}`,
    sk: `ORDER#${clientOrderId}`,
  }),
  paperOpenOrders: (accountId: string) => `PAPEROPEN#${accountId}`,
};

/** Key schema, attributes and indexes of the table (billing and name are the caller's). */
export const TABLE_DEFINITION = {
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: OPEN_INDEX,
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

/** Where the table is. */
export interface TableRef {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** Settings for the DynamoDB client. */
export interface DynamoSettings {
  endpoint?: string | undefined;
  region: string;
}

/** Builds the DynamoDB clients once at start-up. Against a local endpoint, dummy credentials are used. */
export function createDynamoClients(settings: DynamoSettings): {
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
} {
  const raw = new DynamoDBClient({
    region: settings.region,
    maxAttempts: 3,
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  // The SDK's logger middleware filters every input and output for sensitive fields before it hands
  // them to the client's logger, even the no-op one; we never give it one, so the work is wasted
  // (about 2 % of the hot path's CPU, more on large answers). The document client shares this stack.
  raw.middlewareStack.remove('loggerMiddleware');
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { raw, doc };
}

/** Creates the table unless it exists, and waits until it is ACTIVE. Local mode and tests use this. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const found = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (found.Table?.TableStatus === 'ACTIVE') return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(
      new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...TABLE_DEFINITION }),
    );
  }
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesReady = (described.Table?.GlobalSecondaryIndexes ?? []).every(
      (i) => i.IndexStatus === 'ACTIVE',
    );
    if (described.Table?.TableStatus === 'ACTIVE' && indexesReady) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch {
    // dynalite does not implement TTL, and an already-enabled TTL is refused: neither matters here.
  }
}

/** True for DynamoDB's refusal of a conditional write. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Epoch seconds `days` after `now`, for the TTL attribute. */
export function expiresAfterDays(now: Date, days: number): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}

/** Every item a query matches, page after page. */
export async function queryAll(
  table: TableRef,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new QueryCommand({ ...input, TableName: table.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
