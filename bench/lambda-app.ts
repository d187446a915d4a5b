/**
 * The webhook Lambda handler as functions/webhook.ts builds it, with one difference: the DynamoDB
 * client is made here (the same createDynamoClients the entry's bootFromEnv calls, same settings) so
 * that the metering middleware sits on the client every store and the paper broker use. Everything
 * else is the entry's: loadConfig from the environment, bootWith (brokers, deps, account books),
 * Hono's aws-lambda adapter over createApp, Powertools logger and EMF metrics flushed per invocation.
 */
import { randomUUID } from 'node:crypto';
import { handle } from 'hono/aws-lambda';
import { bootWith, prepareAccounts } from '../src/app/boot.ts';
import { buildDeps, type Deps } from '../src/app/build-deps.ts';
import { createApp } from '../src/app/create-app.ts';
import { EmfMetrics } from '../src/app/emf-metrics.ts';
import { type LambdaContext, lambdaLogger } from '../src/app/lambda-logger.ts';
import { lambdaSourceIp } from '../src/app/lambda-source-ip.ts';
import type { BrokerPort } from '../src/brokers/port.ts';
import { loadConfig } from '../src/config.ts';
import { createDynamoClients, type TableRef } from '../src/store/table.ts';
import { type HttpEventV2, webhookEvent } from '../tests/support/lambda-events.ts';
import { appEnv, TRADINGVIEW_IP } from './alerts.ts';
import { DdbMeter } from './ddb-meter.ts';

/** The answer of one invocation (Function URL result). */
export interface LambdaResult {
  statusCode: number;
  body: string;
}

/** A booted handler and what it was built with. */
export interface BenchLambda {
  handler(event: HttpEventV2, context: LambdaContext): Promise<LambdaResult>;
  meter: DdbMeter;
  deps: Deps;
  /** The app's table and client (metered like every call of the app). */
  table: TableRef;
  close(): void;
}

/**
 * Boots the webhook handler against `endpoint` / `tableName`. With `broker`, the default account
 * uses it instead of the paper broker (bootWith has no such seam: buildDeps and prepareAccounts,
 * which bootWith runs, are called directly).
 */
export async function bootLambda(
  endpoint: string,
  tableName: string,
  options: { broker?: BrokerPort; env?: Record<string, string> } = {},
): Promise<BenchLambda> {
  const config = loadConfig({ ...appEnv(endpoint, tableName), ...options.env });
  const { raw, doc } = createDynamoClients(config.dynamodb);
  const meter = new DdbMeter();
  meter.attach(doc);
  const metrics = new EmfMetrics('webhook');
  const log = lambdaLogger(config.log.level, 'webhook');
  const runtime = { doc, sourceIp: lambdaSourceIp, log, metrics };
  let deps: Deps;
  if (options.broker === undefined) deps = await bootWith(config, runtime);
  else {
    deps = buildDeps(config, { ...runtime, broker: options.broker });
    await prepareAccounts(deps, config);
  }
  const answer = handle(createApp(deps));
  meter.take();
  return {
    meter,
    deps,
    table: { doc, tableName: config.dynamodb.tableName },
    close: () => raw.destroy(),
    // As functions/webhook.ts: context into the logger, metrics flushed and log keys reset after.
    handler: async (event, context) => {
      log.startInvocation(context);
      try {
        return await answer(event, context);
      } finally {
        metrics.flush();
        log.endInvocation();
      }
    },
  };
}

/** A Function URL event carrying `body` from TradingView's address. */
export function functionUrlEvent(body: string): HttpEventV2 {
  return webhookEvent('function-url', { body, sourceIp: TRADINGVIEW_IP });
}

/** A Lambda context like the runtime's, for a 1,769 MB webhook function. */
export function lambdaContext(): LambdaContext {
  const functionName = 'pinebridge-webhook';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1769',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/24/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The `status` field of a webhook answer. */
export function statusOf(result: LambdaResult): string {
  try {
    const parsed: unknown = JSON.parse(result.body);
    if (typeof parsed === 'object' && parsed !== null && 'status' in parsed) return String(parsed.status);
  } catch {
    // not JSON
  }
  return `http-${result.statusCode}`;
}
