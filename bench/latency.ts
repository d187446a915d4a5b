/**
 * Part 1: the webhook Lambda handler invoked in-process with Function URL events, `concurrency`
 * invocations in flight at once, against a fresh table on one engine, with the paper broker at zero
 * latency (its ledger lives in the same table, so its trips are counted apart). Latency is per
 * alert, from the handler call to its answer; alerts per second over the wall time of the run.
 * A diagnostic variant swaps the paper broker for the in-memory instant broker (./fakes.ts) to show
 * what our own trips cost without the simulation's.
 */
import { loadavg } from 'node:os';
import { AlertBodies } from './alerts.ts';
import { totals } from './ddb-meter.ts';
import type { Engine } from './engines.ts';
import { InstantBroker } from './fakes.ts';
import { type BenchLambda, bootLambda, functionUrlEvent, lambdaContext, statusOf } from './lambda-app.ts';
import { type Percentiles, percentiles, pool, round } from './stats.ts';
import { divertStdout } from './stdout-sink.ts';

/** One measured run. */
export interface LatencyRun {
  engine: string;
  broker: 'paper' | 'instant';
  concurrency: number;
  alerts: number;
  statuses: Record<string, number>;
  /** Every alert, whatever its answer. */
  latencyMs: Percentiles;
  /** Only alerts answered `accepted` (an open circuit answers 503 fast). */
  acceptedLatencyMs: Percentiles;
  alertsPerSecond: number;
  tripsPerAlert: number;
  oursPerAlert: number;
  refusedWritesPerAlert: number;
  /** Log and EMF bytes per alert the handler wrote. */
  stdoutBytesPerAlert: number;
  /**
   * DynamoDB calls made after the last answer: work an answered alert left running (a broker call
   * abandoned at its timeout, an in-flight lookup past its budget), and how long until it stopped.
   */
  tailTrips: number;
  tailMs: number;
  /** The machine's 1-minute load average when the run started (other work on the machine shows here). */
  loadAverage: number;
}

const WARMUP = 10;

/** Runs `count` unique accepted-path alerts through a freshly booted handler. */
export async function measureLatency(
  engine: Engine,
  concurrency: number,
  count: number,
  broker: 'paper' | 'instant' = 'paper',
): Promise<LatencyRun> {
  const loadAverage = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const tableName = await engine.createTable(`bench-c${concurrency}`);
  const lambda = await bootLambda(
    engine.endpoint,
    tableName,
    broker === 'instant' ? { broker: new InstantBroker() } : {},
  );
  const bodies = new AlertBodies(`lat-${engine.name}-${broker}-${concurrency}`);
  const sink = divertStdout();
  try {
    for (let i = 0; i < WARMUP; i += 1)
      await lambda.handler(functionUrlEvent(bodies.accepted()), lambdaContext());
    const events = Array.from({ length: count }, () => functionUrlEvent(bodies.accepted()));
    lambda.meter.take();
    const bytesBefore = sink.bytes();
    const all: number[] = [];
    const accepted: number[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    await pool(events, concurrency, async (event) => {
      const context = lambdaContext();
      const sent = performance.now();
      const result = await lambda.handler(event, context);
      const elapsed = performance.now() - sent;
      const status = statusOf(result);
      statuses[status] = (statuses[status] ?? 0) + 1;
      all.push(elapsed);
      if (status === 'accepted') accepted.push(elapsed);
    });
    const wallMs = performance.now() - started;
    const trips = totals(lambda.meter.take());
    const tail = await drain(lambda);
    return {
      engine: engine.name,
      broker,
      concurrency,
      alerts: count,
      statuses,
      latencyMs: percentiles(all),
      acceptedLatencyMs: percentiles(accepted),
      alertsPerSecond: round((count / wallMs) * 1000, 1),
      tripsPerAlert: round(trips.trips / count, 2),
      oursPerAlert: round(trips.ours / count, 2),
      refusedWritesPerAlert: round(trips.refused / count, 2),
      stdoutBytesPerAlert: Math.round((sink.bytes() - bytesBefore) / count),
      tailTrips: tail.trips,
      tailMs: tail.ms,
      loadAverage,
    };
  } finally {
    await drain(lambda);
    sink.restore();
    lambda.close();
  }
}

/**
 * Waits until the app has made no DynamoDB call for a second (at most a minute), so that work left
 * running by one measurement does not run into the next; answers what it saw meanwhile.
 */
async function drain(lambda: BenchLambda): Promise<{ trips: number; ms: number }> {
  const started = performance.now();
  let quietSince = started;
  let trips = 0;
  while (performance.now() - quietSince < 1000 && performance.now() - started < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen = lambda.meter.take().length;
    if (seen > 0) {
      trips += seen;
      quietSince = performance.now();
    }
  }
  return { trips, ms: Math.round(quietSince - started) };
}

/**
 * Warms an engine before it is measured (DynamoDB Local's JVM compiles its hot paths during the
 * first few hundred requests): `count` alerts at concurrency 5 on a throwaway table.
 */
export async function warmEngine(engine: Engine, count: number): Promise<void> {
  const lambda = await bootLambda(engine.endpoint, await engine.createTable('bench-warmup'));
  const bodies = new AlertBodies(`warmup-${engine.name}`);
  const sink = divertStdout();
  try {
    await pool(
      Array.from({ length: count }, () => functionUrlEvent(bodies.accepted())),
      5,
      (event) => lambda.handler(event, lambdaContext()),
    );
  } finally {
    await drain(lambda);
    sink.restore();
    lambda.close();
  }
}
