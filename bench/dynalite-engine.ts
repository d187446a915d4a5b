/**
 * The embedded engine of local mode (src/local/embedded-dynamo.ts: dynalite over LevelDB in a data
 * directory), started in a process of its own so that its CPU time is not the app's: the benchmark
 * measures the app against a database, as on AWS. Prints its endpoint as one JSON line, then runs
 * until stdin closes or a signal comes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDynamo } from '../src/local/embedded-dynamo.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'pinebridge-bench-dynalite-'));
const engine = await startEmbeddedDynamo(dataDir);
process.stdout.write(`${JSON.stringify({ endpoint: engine.endpoint })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void engine.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
