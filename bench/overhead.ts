/**
 * Part 3: our own time per alert with DynamoDB and the broker taken out. The whole Lambda handler
 * (event adapter, Hono, parse, auth, dedupe hash, sizing, risk, settlement planning, answer, log
 * line, EMF flush) runs over the in-memory stores and the instant broker of ./fakes.ts, one alert at
 * a time; then each step alone (the pure ones, the log line, the EMF flush), over the same realistic
 * inputs, to show where that time goes.
 */
import { createHash } from 'node:crypto';
import { handle } from 'hono/aws-lambda';
import { createRouting } from '../src/app/accounts.ts';
import { redactBody, secretsEqual } from '../src/app/auth.ts';
import { buildDeps, type Deps } from '../src/app/build-deps.ts';
import { createApp } from '../src/app/create-app.ts';
import { EmfMetrics } from '../src/app/emf-metrics.ts';
import type { LambdaContext } from '../src/app/lambda-logger.ts';
import { lambdaLogger } from '../src/app/lambda-logger.ts';
import { lambdaSourceIp } from '../src/app/lambda-source-ip.ts';
import { METRIC } from '../src/app/metrics.ts';
import { riskContextFor, sizingFor } from '../src/app/trading-settings.ts';
import { loadConfig } from '../src/config.ts';
import { findPassphrase, parseAlert } from '../src/domain/alert.ts';
import { readBody } from '../src/domain/alert-body.ts';
import { tradingDay } from '../src/domain/book.ts';
import { asClientOrderId } from '../src/domain/ids.ts';
import { checkOrder } from '../src/domain/risk.ts';
import { settle } from '../src/domain/settlement.ts';
import { sizeOrder } from '../src/domain/sizing.ts';
import { parseBook } from '../src/store/book-item.ts';
import { reservationExpression } from '../src/store/reservation-expression.ts';
import type { HttpEventV2 } from '../tests/support/lambda-events.ts';
import { AlertBodies, appEnv, PASSPHRASE } from './alerts.ts';
import {
  InstantBroker,
  MemoryAlertStore,
  MemoryBookStore,
  MemoryOrderStore,
  storedBook,
  unusedTable,
} from './fakes.ts';
import { functionUrlEvent, type LambdaResult, lambdaContext, statusOf } from './lambda-app.ts';
import { type Percentiles, percentiles } from './stats.ts';
import { divertStdout } from './stdout-sink.ts';

/** What part 3 found. */
export interface OverheadReport {
  alerts: number;
  statuses: Record<string, number>;
  /** Per alert through the whole handler, in milliseconds. */
  pipelineMs: Percentiles;
  /** Log and EMF bytes the handler wrote per alert. */
  stdoutBytesPerAlert: number;
  /** Each step alone, in microseconds per call. */
  stepsUs: Record<string, Percentiles>;
  marksPerSymbol: number;
}

/** The webhook handler, wrapped as functions/webhook.ts wraps it, over the in-memory doubles. */
export interface MemoryHandler {
  handler(event: HttpEventV2, context: LambdaContext): Promise<LambdaResult>;
  deps: Deps;
  /** The stored book the in-memory book store parses on every read. */
  item: Record<string, unknown>;
}

/** Builds the handler over in-memory stores and the instant broker (no I/O anywhere). */
export function memoryHandler(marksPerSymbol: number): MemoryHandler {
  const config = loadConfig(appEnv('http://127.0.0.1:1', 'unused'));
  const table = unusedTable();
  const metrics = new EmfMetrics('webhook');
  const log = lambdaLogger(config.log.level, 'webhook');
  const built = buildDeps(config, {
    doc: table.doc,
    sourceIp: lambdaSourceIp,
    log,
    metrics,
    broker: new InstantBroker(),
  });
  const item = storedBook(built.accountId, marksPerSymbol, new Date());
  const [main] = built.routing.accounts;
  if (main === undefined) throw new Error('no account');
  const account = {
    ...main,
    book: new MemoryBookStore(table, built.accountId, item),
    orders: new MemoryOrderStore(table, built.accountId),
  };
  const deps: Deps = {
    ...built,
    ...account,
    alerts: new MemoryAlertStore(table, config.alerts.retentionDays),
    routing: createRouting([account], {}),
  };
  const answer = handle(createApp(deps));
  return {
    deps,
    item,
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

/** Runs `warmup` then `alerts` alerts through the handler over in-memory stores. */
export async function measureOverhead(
  alerts: number,
  warmup: number,
  marksPerSymbol: number,
): Promise<OverheadReport> {
  const { handler, deps, item } = memoryHandler(marksPerSymbol);
  const bodies = new AlertBodies('overhead');
  const events = Array.from({ length: warmup + alerts }, () => functionUrlEvent(bodies.accepted()));
  const statuses: Record<string, number> = {};
  const samples: number[] = [];
  const sink = divertStdout();
  try {
    for (const [index, event] of events.entries()) {
      const context = lambdaContext();
      const started = performance.now();
      const result = await handler(event, context);
      const elapsed = performance.now() - started;
      if (index < warmup) continue;
      samples.push(elapsed);
      const status = statusOf(result);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    const stdoutBytesPerAlert = Math.round(sink.bytes() / events.length);
    // The log and EMF steps write too: still to the counter.
    const stepsUs = measureSteps(deps, item, bodies);
    return {
      alerts,
      statuses,
      pipelineMs: percentiles(samples),
      stdoutBytesPerAlert,
      stepsUs,
      marksPerSymbol,
    };
  } finally {
    sink.restore();
  }
}

/** Times each step of the path alone, in microseconds per call: the pure ones, the log line, the EMF flush. */
function measureSteps(
  deps: Deps,
  item: Record<string, unknown>,
  bodies: AlertBodies,
): Record<string, Percentiles> {
  const raw = bodies.accepted('AAPL');
  const read = readBody(raw);
  if (!read.ok) throw new Error('bench body does not read');
  const parsed = parseAlert(read.fields);
  if (!parsed.ok) throw new Error('bench alert does not parse');
  const alert = parsed.alert;
  const book = parseBook(item);
  const now = new Date();
  const sizing = sizingFor(deps.trading, alert.strategy);
  const holding = { qty: 10, reducing: 0, pendingOpen: 0, lastPrice: 100 };
  const sized = sizeOrder(alert, holding, sizing, book.broker?.equity);
  const intent = sized.ok ? sized.intents[0] : undefined;
  if (intent === undefined) throw new Error('bench alert does not size');
  const context = riskContextFor(deps.trading, alert, now);
  const risk = checkOrder(book, intent, deps.trading.limits, context);
  if (!risk.ok) throw new Error(`bench alert denied: ${risk.denial.code}`);
  const clientOrderId = asClientOrderId('pb-0mwu2763595161308f43f-1');
  const order = {
    ...intent,
    clientOrderId,
    referencePrice: intent.referencePrice ?? 0,
    strategy: 'bench-trend',
  };
  const at = now.toISOString();
  const fill = {
    fillId: `${clientOrderId}-f1`,
    clientOrderId,
    symbol: intent.symbol,
    side: intent.side,
    qty: intent.qty,
    price: 100,
    commission: 0,
    filledAt: at,
  };
  const report = {
    clientOrderId,
    symbol: intent.symbol,
    side: intent.side,
    qty: intent.qty,
    status: 'FILLED' as const,
    filledQty: intent.qty,
    avgFillPrice: 100,
    fills: [fill],
    updatedAt: at,
  };
  const answerBody = {
    status: 'accepted',
    alertId: '0mwu2763595161308f43f',
    orderId: clientOrderId,
    orderStatus: 'FILLED',
    side: 'buy',
    qty: 1,
    filledQty: 1,
    avgFillPrice: 100,
    orderIds: [clientOrderId],
  };
  const answerLog = {
    alertId: answerBody.alertId,
    status: 'accepted',
    httpStatus: 200,
    code: undefined,
    latencyMs: 1.2,
  };
  const steps: Record<string, () => unknown> = {
    'readBody (JSON.parse)': () => readBody(raw),
    'secretsEqual (sha256 of the given one)': () => secretsEqual(findPassphrase(read.fields), PASSPHRASE),
    'parseAlert (aliases + zod)': () => parseAlert(read.fields),
    'redactBody (mask + re-stringify)': () => redactBody(raw, [PASSPHRASE]),
    'dedupe key (sha256)': () => createHash('sha256').update(raw.trim()).digest('hex').slice(0, 40),
    'parseBook (zod, 10 symbols)': () => parseBook(item),
    sizeOrder: () => sizeOrder(alert, holding, sizing, book.broker?.equity),
    'riskContextFor (offsets, business days)': () => riskContextFor(deps.trading, alert, now),
    checkOrder: () => checkOrder(book, intent, deps.trading.limits, context),
    reservationExpression: () => reservationExpression(risk.reservation, now),
    'tradingDay (Intl once an hour)': () => tradingDay(now, deps.timeZone),
    'settle (plan)': () => settle(book, order, report, tradingDay(now, deps.timeZone), now),
    'answer JSON.stringify': () => JSON.stringify(answerBody),
    'log line (Powertools Logger)': () => deps.log.info('alert answered', answerLog),
    'EMF flush (Powertools, 2 documents)': () => {
      deps.metrics.record(METRIC.alertsReceived, 1, 'Count');
      deps.metrics.record(METRIC.alerts, 1, 'Count', { Status: 'accepted' });
      deps.metrics.record(METRIC.orderSubmitLatency, 0.4, 'Milliseconds');
      deps.metrics.record(METRIC.alertLatency, 1.2, 'Milliseconds');
      deps.metrics.flush();
    },
  };
  const results: Record<string, Percentiles> = {};
  for (const [name, step] of Object.entries(steps)) {
    for (let i = 0; i < 500; i += 1) step();
    const samples: number[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const started = performance.now();
      step();
      samples.push((performance.now() - started) * 1000);
    }
    results[name] = percentiles(samples);
  }
  return results;
}
