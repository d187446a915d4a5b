/**
 * Lambda entry for the scheduled reconcile pass (EventBridge Scheduler or a scheduled rule). The
 * event's content is not needed: every invocation runs one pass and returns its report. A pass that
 * cannot list orders throws, so the scheduler's retry policy and dead-letter queue see the failure.
 */
import { bootFromEnv } from '../src/app/boot.ts';
import type { ReconcileReport } from '../src/app/reconcile-pass.ts';

const deps = await bootFromEnv(process.env, () => undefined);

/** The Lambda handler. */
export async function handler(): Promise<ReconcileReport> {
  return deps.reconcile();
}
