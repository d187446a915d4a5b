/**
 * Part 5: the local server over real HTTP. `npm start` runs in its own process group, exactly as the
 * end-to-end tests start it (tests/support/local-process.ts: its own data directory, the embedded
 * engine in-process, the paper broker, a reconcile pass every 5 s), and autocannon keeps 50
 * connections busy posting alerts for a fixed time. Every body is unique (the dedupe key is the
 * body's hash) and passes risk under the bench's generous limits; each answer's `status` is counted.
 */
import autocannon from 'autocannon';
import { type LocalProcess, start } from '../tests/support/local-process.ts';
import { AlertBodies, API_TOKEN, PASSPHRASE, RISK_ENV } from './alerts.ts';
import { round } from './stats.ts';

/** What part 5 found. */
export interface HttpReport {
  connections: number;
  durationSeconds: number;
  requests: number;
  /** Every answered request per second, whatever its status. */
  requestsPerSecond: number;
  /** Answers `accepted` per second: alerts that became filled orders. */
  acceptedPerSecond: number;
  statuses: Record<string, number>;
  httpStatuses: Record<string, number>;
  latencyMs: { p50: number; p90: number; p97_5: number; p99: number; max: number; mean: number };
  errors: number;
  timeouts: number;
}

/** Starts `npm start`, warms it up, and loads it with `connections` connections for `seconds`. */
export async function measureHttp(connections: number, seconds: number): Promise<HttpReport> {
  const server = await start({ ...RISK_ENV, WEBHOOK_PASSPHRASE: PASSPHRASE, API_TOKEN });
  try {
    const bodies = new AlertBodies('http');
    await warmUp(server, bodies);
    const statuses: Record<string, number> = {};
    const result = await autocannon({
      url: server.webhookUrl,
      connections,
      duration: seconds,
      timeout: 10,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({ ...request, body: bodies.accepted() }),
          onResponse: (_status, body) => {
            const status = statusIn(body);
            statuses[status] = (statuses[status] ?? 0) + 1;
          },
        },
      ],
    });
    const answered = Object.values(statuses).reduce((sum, count) => sum + count, 0);
    return {
      connections,
      durationSeconds: result.duration,
      requests: answered,
      requestsPerSecond: round(answered / result.duration, 1),
      acceptedPerSecond: round((statuses.accepted ?? 0) / result.duration, 1),
      statuses,
      httpStatuses: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, stat]) => [code, Number(stat.count)]),
      ),
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p97_5: result.latency.p97_5,
        p99: result.latency.p99,
        max: result.latency.max,
        mean: round(result.latency.mean, 2),
      },
      errors: result.errors,
      timeouts: result.timeouts,
    };
  } finally {
    await server.stop();
  }
}

/** Twenty alerts one after the other: JIT, sockets and the book exist before the load starts. */
async function warmUp(server: LocalProcess, bodies: AlertBodies): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    const answer = await server.webhook(bodies.accepted());
    if (answer.status !== 200) throw new Error(`warm-up alert answered ${answer.status}: ${answer.text}`);
  }
}

function statusIn(body: string): string {
  const match = /"status":"([a-z_]+)"/.exec(body);
  return match?.[1] ?? 'unparsed';
}
