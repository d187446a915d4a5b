/**
 * Diagnostic: what one DynamoDB round trip costs this process, client side, apart from the engine.
 * The same strongly consistent GetItem of a 1 KB item, sequentially, through the document client the
 * app uses (createDynamoClients), through its raw client, and as a plain keep-alive http.request with
 * a pre-built body (no SDK: no middleware, no signing, no (un)marshalling); plus the document
 * client's PutItem. Wall time and this process's CPU time (process.cpuUsage) per call.
 */
import http from 'node:http';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../src/store/table.ts';
import type { Engine } from './engines.ts';
import { round } from './stats.ts';

/** Per call, in milliseconds. */
export interface CallCost {
  wallMs: number;
  cpuMs: number;
}

/** Measures `calls` calls of each kind against `engine`. */
export async function measureSdkCost(engine: Engine, calls: number): Promise<Record<string, CallCost>> {
  const tableName = await engine.createTable('bench-sdk');
  const { raw, doc } = createDynamoClients({ endpoint: engine.endpoint, region: 'us-east-1' });
  const item = { pk: 'ACCT#default', sk: 'ORDER#pb-sdk-cost', payload: 'x'.repeat(1000) };
  const key = { pk: item.pk, sk: item.sk };
  const agent = new http.Agent({ keepAlive: true });
  const url = new URL(engine.endpoint);
  const body = JSON.stringify({
    TableName: tableName,
    Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    ConsistentRead: true,
  });
  const plainGet = () =>
    new Promise<unknown>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.GetItem',
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'x-amz-date': '20260101T000000Z',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  try {
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    return {
      'document client GetItem': await timeCalls(calls, () =>
        doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
      ),
      'raw client GetItem': await timeCalls(calls, () =>
        raw.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: key.pk }, sk: { S: key.sk } },
            ConsistentRead: true,
          }),
        ),
      ),
      'document client PutItem': await timeCalls(calls, () =>
        doc.send(new PutCommand({ TableName: tableName, Item: item })),
      ),
      'plain http.request GetItem (no SDK)': await timeCalls(calls, plainGet),
    };
  } finally {
    raw.destroy();
    agent.destroy();
  }
}

async function timeCalls(calls: number, call: () => Promise<unknown>): Promise<CallCost> {
  for (let i = 0; i < Math.min(300, calls); i += 1) await call();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i += 1) await call();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs: round(wall / calls, 3), cpuMs: round((used.user + used.system) / 1000 / calls, 3) };
}
