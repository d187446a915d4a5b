/**
 * Lambda entry for the webhook (Function URL or HTTP API, payload format 2.0). Dependencies are
 * built once per container; the source address is the one AWS saw, never a header. Logs go through
 * Powertools Logger with the invocation's context and the alert id as correlation id; metrics
 * recorded while answering are written as EMF when the invocation ends.
 */
import { handle } from 'hono/aws-lambda';
import { bootFromEnv } from '../src/app/boot.ts';
import { createApp } from '../src/app/create-app.ts';
import { EmfMetrics } from '../src/app/emf-metrics.ts';
import { type LambdaLogger, lambdaLogger } from '../src/app/lambda-logger.ts';
import { lambdaSourceIp } from '../src/app/lambda-source-ip.ts';

const metrics = new EmfMetrics('webhook');
let log: LambdaLogger | undefined;
const deps = await bootFromEnv(process.env, lambdaSourceIp, {
  metrics,
  logger: (level) => {
    log = lambdaLogger(level, 'webhook');
    return log;
  },
});
const answer = handle(createApp(deps));

/** The Lambda handler. */
export const handler: typeof answer = async (event, context) => {
  log?.startInvocation(context);
  try {
    return await answer(event, context);
  } finally {
    metrics.flush();
    log?.endInvocation();
  }
};
