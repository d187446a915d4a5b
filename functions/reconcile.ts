/**
 * Lambda entry for the scheduled reconcile pass (EventBridge Scheduler or a scheduled rule). The
 * event's content is not needed: every invocation runs one pass per account and returns the reports.
 * When an account's pass cannot run (its orders cannot be listed) the others still run, then the
 * invocation fails, so the scheduler's retry policy and dead-letter queue see it.
 */
import { bootFromEnv } from '../src/app/boot.ts';
import type { AccountReconcileReport } from '../src/app/build-deps.ts';
import { EmfMetrics } from '../src/app/emf-metrics.ts';

const metrics = new EmfMetrics('reconcile');
const deps = await bootFromEnv(process.env, () => undefined, metrics);

/** The Lambda handler. */
export async function handler(): Promise<AccountReconcileReport[]> {
  const reports = await deps.reconcileAll().finally(() => metrics.flush());
  const failed = reports.filter((report) => !report.ok);
  if (failed.length > 0) {
    throw new Error(`reconcile failed for ${failed.map((report) => report.accountId).join(', ')}`);
  }
  return reports;
}
