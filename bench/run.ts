/**
 * `npm run bench`: measures pinebridge's hot path, its DynamoDB cost, its own overhead, its cold
 * start, the local server over HTTP and the reconcile pass against history; writes
 * bench/results.json and prints the tables (progress goes to stderr). Never part of `npm test`.
 *
 * Engines: DynamoDB Local (java) and dynalite, each in a process of its own; `npm start` brings its
 * own embedded engine. Every measurement gets a fresh table. BENCH_QUICK=1 runs smaller counts (for
 * working on the bench itself; the published numbers come from a full run).
 *
 * BENCH_PARTS runs only the parts it names, comma-separated: `overhead` (part 3), `latency` (part 1),
 * `trips` (part 2), `reconcile` (part 6), `cold-start` (part 4), `profile` (the CPU profiles),
 * `sdk-cost` (the diagnostic) and `http` (part 5); `BENCH_PARTS=cold-start npm run bench` takes a
 * minute. Only the engines those parts use are started. Their results are printed as JSON, and
 * bench/results.json, which the targets are judged from, is left as it was.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { measureColdStart } from './cold-start.ts';
import { type Engine, startDynalite, startDynamoDbLocal } from './engines.ts';
import { measureHttp } from './http.ts';
import { lambdaContext } from './lambda-app.ts';
import { type LatencyRun, measureLatency, warmEngine } from './latency.ts';
import { measureOverhead, memoryHandler } from './overhead.ts';
import { profileAlerts, profileHotPath } from './profile.ts';
import { measureReconcile } from './reconcile.ts';
import { printReport } from './report.ts';
import { measureSdkCost } from './sdk-cost.ts';
import { progress } from './stats.ts';
import { divertStdout } from './stdout-sink.ts';
import { type BenchResults, targetsOf } from './targets.ts';
import { measureTrips } from './trips.ts';

// The Lambda runtime is Node 24 (no such warning there); the SDK's Node 20 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const quick = process.env.BENCH_QUICK === '1';
const scale = (n: number) => (quick ? Math.max(10, Math.round(n / 5)) : n);
/** Alerts per in-process run, by concurrency: each level sends several rounds of its concurrency. */
const LATENCY_RUNS: ReadonlyArray<readonly [number, number]> = [
  [1, scale(60)],
  [10, scale(200)],
  [50, scale(400)],
  [200, scale(400)],
];

/** Every result of a full run, by key: the compiler checks the list against the results' type. */
const DETAIL_KEYS = {
  latency: true,
  trips: true,
  tripsDynalite: true,
  overhead: true,
  coldStart: true,
  http: true,
  reconcile: true,
  profile: true,
  ownProfile: true,
  sdkCost: true,
} satisfies Record<keyof BenchResults['detail'], true>;

/** The parts BENCH_PARTS can name, in the order a full run measures them. */
const PARTS = [
  'overhead',
  'latency',
  'trips',
  'reconcile',
  'cold-start',
  'profile',
  'sdk-cost',
  'http',
] as const;
type Part = (typeof PARTS)[number];
const parts = selectedParts(process.env.BENCH_PARTS);
const runs = (part: Part) => parts.has(part);

const started = Date.now();
const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  startedAt: new Date(started).toISOString(),
  quick,
};
progress(
  `machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
);
if (parts.size < PARTS.length) progress(`BENCH_PARTS: ${[...parts].join(', ')} only`);

// What the app logs while it is measured is counted, not shown; progress lines still reach stderr.
const sink = divertStdout();
const engines: Engine[] = [];
try {
  const measured: Partial<BenchResults['detail']> = {};
  if (runs('overhead')) {
    progress('part 3: own overhead (in-memory stores, instant broker)');
    measured.overhead = await measureOverhead(scale(5000), scale(1000), 1);
  }

  const usesDynalite = (['latency', 'trips', 'cold-start', 'profile', 'sdk-cost'] as const).some(runs);
  const usesDynamoLocal = (['latency', 'trips', 'reconcile'] as const).some(runs);
  if (usesDynalite || usesDynamoLocal) progress('starting the DynamoDB engines the parts use');
  const dynalite = usesDynalite ? await startDynalite() : undefined;
  if (dynalite) engines.push(dynalite);
  const dynamoLocal = usesDynamoLocal ? await startDynamoDbLocal() : undefined;
  if (dynamoLocal) engines.push(dynamoLocal);

  if (runs('latency') && dynalite && dynamoLocal) {
    for (const engine of [dynalite, dynamoLocal]) {
      progress(`warming ${engine.name} up (${scale(200)} alerts on a throwaway table)`);
      await warmEngine(engine, scale(200));
    }
    const latency: LatencyRun[] = [];
    for (const engine of [dynalite, dynamoLocal]) {
      for (const [concurrency, count] of LATENCY_RUNS) {
        progress(`part 1: ${engine.name}, paper broker, concurrency ${concurrency}, ${count} alerts`);
        latency.push(await measureLatency(engine, concurrency, count));
      }
    }
    for (const [concurrency, count] of [
      [1, scale(60)],
      [50, scale(400)],
    ] as const) {
      progress(`part 1 (diagnostic): dynalite, instant broker, concurrency ${concurrency}, ${count} alerts`);
      latency.push(await measureLatency(dynalite, concurrency, count, 'instant'));
    }
    measured.latency = latency;
  }

  if (runs('trips') && dynalite && dynamoLocal) {
    progress('part 2: round trips and capacity units per alert (DynamoDB Local, then dynalite)');
    measured.trips = await measureTrips(dynamoLocal, scale(20), 1000);
    measured.tripsDynalite = await measureTrips(dynalite, scale(10), 1000);
  }

  if (runs('reconcile') && dynamoLocal) {
    progress('part 6: reconcile pass with 10 open orders and 0 / 1,000 / 10,000 closed (DynamoDB Local)');
    measured.reconcile = await measureReconcile(dynamoLocal, [0, 1000, 10_000], quick ? 3 : 7);
  }

  if (runs('cold-start') && dynalite) {
    progress('part 4: bundles and cold start (10 fresh processes per bundle, against dynalite)');
    measured.coldStart = await measureColdStart(dynalite);
  }

  if (runs('profile') && dynalite) {
    progress('CPU profiles: the hot path against dynalite, and our own overhead over in-memory doubles');
    measured.profile = await profileHotPath(dynalite, scale(100), 30);
    const memory = memoryHandler(1);
    measured.ownProfile = await profileAlerts('own-overhead', scale(3000), scale(1000), (event) =>
      memory.handler(event, lambdaContext()),
    );
  }

  if (runs('sdk-cost') && dynalite) {
    progress('diagnostic: client-side cost of one DynamoDB round trip (dynalite)');
    measured.sdkCost = await measureSdkCost(dynalite, scale(2000));
  }

  for (const engine of engines) await engine.stop();
  if (runs('http')) {
    progress('part 5: npm start over HTTP with autocannon (1, then 50 connections, 10 s each)');
    measured.http = [await measureHttp(1, quick ? 3 : 10), await measureHttp(50, quick ? 3 : 10)];
  }

  const durationSeconds = Math.round((Date.now() - started) / 1000);
  const detail = complete(measured) ? measured : undefined;
  sink.restore();
  if (detail === undefined) {
    process.stdout.write(
      `${JSON.stringify({ parts: [...parts], machine, durationSeconds, ...measured }, null, 2)}\n`,
    );
    progress(`done in ${durationSeconds} s (BENCH_PARTS: bench/results.json left as it was)`);
  } else {
    const results = fullResults(detail, durationSeconds);
    writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    printReport(results);
    progress(
      `done in ${results.durationSeconds} s; wrote bench/results.json; profiles: ${detail.profile.file} ${detail.ownProfile.file}`,
    );
  }
} finally {
  sink.restore();
  for (const engine of engines) await engine.stop();
}

/** bench/results.json of a full run. */
function fullResults(detail: BenchResults['detail'], durationSeconds: number): BenchResults {
  const { latency, trips, overhead, coldStart, http, reconcile } = detail;
  const at50 = latency.find(
    (run) => run.engine === 'dynalite' && run.broker === 'paper' && run.concurrency === 50,
  );
  const http50 = http.find((run) => run.connections === 50);
  const reconcileMs = Object.fromEntries(
    reconcile.map((run) => [String(run.closedOrders), run.steadyPassMs]),
  );
  const results = {
    ddbTripsPerAcceptedAlert: trips.accepted.ours,
    ddbTripsPerDuplicateAlert: trips.duplicate.ours,
    ownOverheadP99Ms: overhead.pipelineMs.p99,
    inProcessP99MsAtConcurrency50: at50?.latencyMs.p99 ?? Number.NaN,
    webhookBundleBytes: coldStart.webhook.bytes,
    initMsMedian: coldStart.webhook.initMsMedian,
    reconcileMsByClosedOrders: reconcileMs,
    httpAlertsPerSecond: http50?.acceptedPerSecond ?? Number.NaN,
    // Beyond the required keys:
    ddbTripsPerAcceptedAlertWithPaperBroker: trips.accepted.trips,
    ddbTripsPerAcceptedAlertIdleContainer: trips.acceptedIdle.ours,
    ddbTripsPerDeniedAlert: trips.denied.ours,
    httpRequestsPerSecond: http50?.requestsPerSecond ?? Number.NaN,
    reconcileBundleBytes: coldStart.reconcile.bytes,
    reconcileInitMsMedian: coldStart.reconcile.initMsMedian,
    machine: { ...machine, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    durationSeconds,
    targets: [] as ReturnType<typeof targetsOf>,
    detail,
  };
  results.targets = targetsOf(results);
  return results;
}

/** True when every part ran, so the measured results are a full run's. */
function complete(measured: Partial<BenchResults['detail']>): measured is BenchResults['detail'] {
  const keys = Object.keys(DETAIL_KEYS) as (keyof BenchResults['detail'])[];
  return keys.every((key) => measured[key] !== undefined);
}

/** The parts BENCH_PARTS names, every part when it is unset or empty. */
function selectedParts(list: string | undefined): ReadonlySet<Part> {
  const named = (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (named.length === 0) return new Set(PARTS);
  const known = named.filter((name): name is Part => (PARTS as readonly string[]).includes(name));
  if (known.length < named.length) {
    const unknown = named.filter((name) => !(PARTS as readonly string[]).includes(name));
    throw new Error(`BENCH_PARTS names no part ${unknown.join(', ')}; the parts: ${PARTS.join(', ')}`);
  }
  return new Set(known);
}
