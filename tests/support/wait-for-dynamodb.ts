/** Waiting for a DynamoDB engine that was just started to answer. */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** Resolves once the engine at `endpoint` answers ListTables; throws after 60 s. */
export async function waitUntilAnswering(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`${endpoint} did not answer within 60 s`);
  } finally {
    client.destroy();
  }
}
