/**
 * The benchmark's results: their shape, the issue's targets judged against them, and the tables
 * printed at the end of `npm run bench`.
 */
import type { ColdStartReport } from './cold-start.ts';
import type { HttpReport } from './http.ts';
import type { LatencyRun } from './latency.ts';
import type { OverheadReport } from './overhead.ts';
import type { ProfileReport } from './profile.ts';
import type { ReconcileRun } from './reconcile.ts';
import type { CallCost } from './sdk-cost.ts';
import { table } from './stats.ts';
import type { TripReport } from './trips.ts';

/** One target of the issue and whether the run met it. */
export interface Target {
  target: string;
  goal: string;
  measured: string;
  met: boolean;
}

/** bench/results.json. */
export interface BenchResults {
  ddbTripsPerAcceptedAlert: number;
  ddbTripsPerDuplicateAlert: number;
  ownOverheadP99Ms: number;
  inProcessP99MsAtConcurrency50: number;
  webhookBundleBytes: number;
  initMsMedian: number;
  reconcileMsByClosedOrders: Record<string, number>;
  httpAlertsPerSecond: number;
  ddbTripsPerAcceptedAlertWithPaperBroker: number;
  ddbTripsPerDeniedAlert: number;
  httpRequestsPerSecond: number;
  reconcileBundleBytes: number;
  reconcileInitMsMedian: number;
  machine: Record<string, unknown>;
  durationSeconds: number;
  targets: Target[];
  detail: {
    latency: LatencyRun[];
    trips: TripReport;
    tripsDynalite: TripReport;
    overhead: OverheadReport;
    coldStart: ColdStartReport;
    http: HttpReport[];
    reconcile: ReconcileRun[];
    profile: ProfileReport;
    ownProfile: ProfileReport;
    sdkCost: Record<string, CallCost>;
  };
}

/** Flat within noise: the same DynamoDB work at every size, and the time at most 25 % (or 20 ms) apart. */
function reconcileFlat(runs: readonly ReconcileRun[]): { flat: boolean; text: string } {
  const [first] = runs;
  const last = runs.at(-1);
  if (first === undefined || last === undefined) return { flat: false, text: 'not measured' };
  const same = runs.every(
    (run) =>
      run.steadyPass.trips === first.steadyPass.trips &&
      run.steadyPass.rcu === first.steadyPass.rcu &&
      run.steadyPass.wcu === first.steadyPass.wcu &&
      run.steadyPass.itemsRead === first.steadyPass.itemsRead,
  );
  const times = runs.map((run) => run.medianPassMs);
  const spread = Math.max(...times) - Math.min(...times);
  const within = spread <= Math.max(20, 0.25 * Math.min(...times));
  const text = `${times.map((ms) => `${ms} ms`).join(' / ')}; steady pass ${first.steadyPass.trips} trips, ${first.steadyPass.rcu} RCU, ${first.steadyPass.wcu} WCU at every size: ${same ? 'identical' : 'different'}`;
  return { flat: same && within, text };
}

/** The issue's targets against `r`. */
export function targetsOf(r: Omit<BenchResults, 'targets'>): Target[] {
  const kb = (bytes: number) => `${Math.round(bytes / 1000)} KB`;
  const reconcile = reconcileFlat(r.detail.reconcile);
  return [
    {
      target: 'DynamoDB round trips per accepted alert',
      goal: '<= 3',
      measured: `${r.ddbTripsPerAcceptedAlert} ours (+${r.ddbTripsPerAcceptedAlertWithPaperBroker - r.ddbTripsPerAcceptedAlert} of the paper broker)`,
      met: r.ddbTripsPerAcceptedAlert <= 3,
    },
    {
      target: 'DynamoDB round trips per duplicate alert',
      goal: '1',
      measured: String(r.ddbTripsPerDuplicateAlert),
      met: r.ddbTripsPerDuplicateAlert <= 1,
    },
    {
      target: 'Own overhead p99',
      goal: '< 1 ms',
      measured: `${r.ownOverheadP99Ms} ms`,
      met: r.ownOverheadP99Ms < 1,
    },
    {
      target: 'In-process p99 at concurrency 50, embedded engine',
      goal: '< 25 ms',
      measured: `${r.inProcessP99MsAtConcurrency50} ms`,
      met: r.inProcessP99MsAtConcurrency50 < 25,
    },
    {
      target: 'Webhook bundle (minified)',
      goal: '< 400 KB',
      measured: `${kb(r.webhookBundleBytes)} (${r.webhookBundleBytes} bytes)`,
      met: r.webhookBundleBytes < 400_000,
    },
    {
      target: 'Import and init, median of 10',
      goal: '< 100 ms',
      measured: `${r.initMsMedian} ms`,
      met: r.initMsMedian < 100,
    },
    {
      target: 'Reconcile flat from 0 to 10,000 closed orders',
      goal: 'flat within noise',
      measured: reconcile.text,
      met: reconcile.flat,
    },
  ];
}

const fmt = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value) ? '-' : String(value);
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');

/** Prints every table of the run to stdout. */
export function printReport(r: BenchResults): void {
  const { latency, trips, tripsDynalite, overhead, coldStart, http, reconcile, profile } = r.detail;
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(`\n## ${title}\n\n${body}`);
  section(
    'Targets',
    table(
      ['target', 'goal', 'measured', 'met'],
      r.targets.map((t) => [t.target, t.goal, t.measured, t.met ? 'met' : 'MISSED']),
    ),
  );
  section(
    '1. In-process Lambda handler (Function URL events), per alert, ms',
    table(
      [
        'engine',
        'broker',
        'conc',
        'alerts',
        'p50',
        'p95',
        'p99',
        'accepted p99',
        'alerts/s',
        'trips/alert',
        'refused/alert',
        'tail trips (ms)',
        'answers',
      ],
      latency.map((run) => [
        run.engine,
        run.broker,
        run.concurrency,
        run.alerts,
        fmt(run.latencyMs.p50),
        fmt(run.latencyMs.p95),
        fmt(run.latencyMs.p99),
        fmt(run.acceptedLatencyMs.p99),
        run.alertsPerSecond,
        run.tripsPerAlert,
        run.refusedWritesPerAlert,
        `${run.tailTrips} (${run.tailMs})`,
        counts(run.statuses),
      ]),
    ),
  );
  const kinds = (report: TripReport) =>
    (['accepted', 'duplicate', 'denied'] as const).map((kind) => {
      const cost = report[kind];
      return [
        report.engine,
        kind,
        cost.ours,
        cost.paper,
        cost.oursRcu,
        cost.oursWcu,
        cost.rcu,
        cost.wcu,
        cost.refused,
        counts(cost.statuses),
      ];
    });
  const history = (report: TripReport) => {
    const cost = report.withHistory;
    return [
      report.engine,
      `accepted, ${cost.marks} marks (${Math.round(cost.bookItemBytes / 1000)} KB book)`,
      cost.ours,
      cost.paper,
      cost.oursRcu,
      cost.oursWcu,
      cost.rcu,
      cost.wcu,
      cost.refused,
      counts(cost.statuses),
    ];
  };
  section(
    '2. DynamoDB per alert (averages; units from DynamoDB Local, dynalite counts index writes as 0)',
    table(
      [
        'engine',
        'kind',
        'our trips',
        'paper trips',
        'our RCU',
        'our WCU',
        'all RCU',
        'all WCU',
        'refused',
        'answers',
      ],
      [...kinds(trips), history(trips), ...kinds(tripsDynalite), history(tripsDynalite)],
    ),
  );
  section(
    '2b. The trips of one accepted alert (DynamoDB Local)',
    table(
      ['#', 'operation', 'item', 'whose', 'RCU', 'WCU', 'of which index'],
      trips.acceptedTrace.map((row) => [
        row.n,
        row.op,
        row.item,
        row.owner,
        row.rcu,
        row.wcu,
        row.indexUnits,
      ]),
    ),
  );
  section(
    `3. Own overhead: the handler over in-memory stores and an instant broker, ${overhead.alerts} alerts`,
    `${table(['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms', 'log+EMF bytes/alert'], [[overhead.pipelineMs.p50, overhead.pipelineMs.p95, overhead.pipelineMs.p99, overhead.pipelineMs.max, overhead.pipelineMs.mean, overhead.stdoutBytesPerAlert]])}\n\n${table(
      ['step alone', 'p50 us', 'p99 us', 'mean us'],
      Object.entries(overhead.stepsUs).map(([name, p]) => [name, p.p50, p.p99, p.mean]),
    )}`,
  );
  section(
    `4. Bundles (${coldStart.settingsSource}) and import-and-init in fresh node processes`,
    `${table(
      ['bundle', 'bytes', 'init median ms', 'since process start ms', 'init runs ms'],
      (['webhook', 'reconcile'] as const).map((name) => [
        name,
        coldStart[name].bytes,
        coldStart[name].initMsMedian,
        coldStart[name].sinceProcessStartMsMedian,
        coldStart[name].initMs.join(' '),
      ]),
    )}\n\n${table(
      ['webhook bundle: package', 'bytes'],
      coldStart.webhook.topPackages.map((entry) => [entry.name, entry.bytes]),
    )}`,
  );
  section(
    '5. npm start over HTTP (autocannon, unique alerts)',
    table(
      [
        'connections',
        'seconds',
        'answered',
        'answered/s',
        'accepted/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'timeouts',
        'answers',
      ],
      http.map((run) => [
        run.connections,
        run.durationSeconds,
        run.requests,
        run.requestsPerSecond,
        run.acceptedPerSecond,
        run.latencyMs.p50,
        run.latencyMs.p90,
        run.latencyMs.p99,
        run.latencyMs.max,
        run.timeouts,
        counts(run.statuses),
      ]),
    ),
  );
  section(
    '6. Reconcile pass, 10 open orders (DynamoDB Local)',
    table(
      [
        'closed orders',
        'median ms',
        'first ms',
        'steady ms',
        'passes ms',
        'first: trips/RCU/WCU',
        'steady: trips/RCU/WCU',
        'items read',
      ],
      reconcile.map((run) => [
        run.closedOrders,
        run.medianPassMs,
        run.firstPassMs,
        run.steadyPassMs,
        run.passMs.join(' '),
        `${run.firstPass.trips}/${run.firstPass.rcu}/${run.firstPass.wcu}`,
        `${run.steadyPass.trips}/${run.steadyPass.rcu}/${run.steadyPass.wcu}`,
        run.steadyPass.itemsRead,
      ]),
    ),
  );
  const profileSection = (title: string, p: ProfileReport) =>
    section(
      `${title} (${p.alerts} alerts, concurrency 1): wall ${p.wallMsPerAlert} ms, CPU ${p.cpuMsPerAlert} ms, sampled busy ${p.busyMsPerAlert} ms per alert`,
      `${table(['origin', '% of busy'], Object.entries(p.byOrigin))}\n\n${table(
        ['function', 'where', 'origin', 'self %'],
        p.topFrames.slice(0, 15).map((frame) => [frame.fn, frame.at, frame.origin, frame.selfPct]),
      )}\n\n${table(
        ['own code and zod', 'where', 'self %'],
        p.topOwnFrames.map((frame) => [frame.fn, frame.at, frame.selfPct]),
      )}`,
    );
  profileSection('CPU profile of the hot path (dynalite)', profile);
  profileSection('CPU profile of our own overhead (in-memory doubles)', r.detail.ownProfile);
  section(
    'Diagnostic: one DynamoDB round trip, client side (dynalite, sequential)',
    table(
      ['call', 'wall ms', 'CPU ms (this process)'],
      Object.entries(r.detail.sdkCost).map(([name, cost]) => [name, cost.wallMs, cost.cpuMs]),
    ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
