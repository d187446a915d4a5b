/**
 * The tables printed at the end of `npm run bench`.
 */
import type { ProfileReport } from './profile.ts';
import { table } from './stats.ts';
import type { BenchResults } from './targets.ts';
import type { KindCost, TripReport } from './trips.ts';

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
  const row = (report: TripReport, kind: string, cost: KindCost) => [
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
  const kinds = (report: TripReport) =>
    (['accepted', 'duplicate', 'denied'] as const).map((kind) => row(report, kind, report[kind]));
  const history = (report: TripReport) => {
    const { marks, first, after, bookItemBytesBefore, bookItemBytesAfter } = report.withHistory;
    const kb = (bytes: number) => `${Math.round(bytes / 1000)} KB`;
    return [
      row(report, 'accepted, idle container (> 5 s apart)', report.acceptedIdle),
      row(report, `accepted, first on a book seeded with ${marks} marks (${kb(bookItemBytesBefore)})`, first),
      row(report, `accepted, the ones after it (book ${kb(bookItemBytesAfter)})`, after),
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
      [...kinds(trips), ...history(trips), ...kinds(tripsDynalite), ...history(tripsDynalite)],
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
    '6. Reconcile pass, 10 open orders (DynamoDB Local); steady = the passes after the first, which find nothing to change',
    table(
      [
        'closed orders',
        'steady median ms',
        'first pass ms',
        'median of all ms',
        'passes ms',
        'first: trips/RCU/WCU',
        'steady: trips/RCU/WCU',
        'items read',
      ],
      reconcile.map((run) => [
        run.closedOrders,
        run.steadyPassMs,
        run.firstPassMs,
        run.medianPassMs,
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
