/**
 * Lambda entry for the scheduled reconcile pass (EventBridge Scheduler or a scheduled rule). The
 * event's content is not needed: every invocation runs one pass and returns its report. A pass that
 * cannot list orders throws, so the scheduler's retry policy and dead-letter queue see the failure.
 */
import { buildDeps } from '../src/app/build-deps.ts';
import type { ReconcileReport } from '../src/app/reconcile-pass.ts';
import { loadConfig } from '../src/config.ts';
import { createDynamoClients } from '../src/store/table.ts';

const config = loadConfig(process.env);
const { doc } = createDynamoClients(config.dynamodb);
const deps = buildDeps(config, { doc, sourceIp: () => undefined });
await deps.book.ensure(config.risk.tradingState, deps.now());

/** The Lambda handler. */
export async function handler(): Promise<ReconcileReport> {
  return deps.reconcile();
}
