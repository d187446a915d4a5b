/**
 * Lambda entry for the scheduled reconcile pass (EventBridge Scheduler or a scheduled rule). The
 * event's content is not needed: every invocation runs one pass per account and returns the reports.
 * When an account's pass cannot run (its orders cannot be listed) the others still run, then the
 * invocation fails: Scheduler invokes asynchronously, so the stack sends a failed pass, with its
 * error, to the dead-letter queue through the function's on-failure destination. Logs go through
 * Powertools Logger; the pass's metrics are written as EMF when the invocation ends.
 */
import { bootFromEnv } from '../src/app/boot.ts';
import type { AccountReconcileReport } from '../src/app/build-deps.ts';
import { EmfMetrics } from '../src/app/emf-metrics.ts';
import { type LambdaContext, type LambdaLogger, lambdaLogger } from '../src/app/lambda-logger.ts';

const metrics = new EmfMetrics('reconcile');
let log: LambdaLogger | undefined;
const deps = await bootFromEnv(process.env, () => undefined, {
  metrics,
  logger: (level) => {
    log = lambdaLogger(level, 'reconcile');
    return log;
  },
});

/** The Lambda handler. */
export async function handler(_event?: unknown, context?: LambdaContext): Promise<AccountReconcileReport[]> {
  log?.startInvocation(context);
  try {
    const reports = await deps.reconcileAll();
    const failed = reports.filter((report) => !report.ok);
    if (failed.length > 0) {
      throw new Error(`reconcile failed for ${failed.map((report) => report.accountId).join(', ')}`);
    }
    return reports;
  } finally {
    metrics.flush();
    log?.endInvocation();
  }
}
