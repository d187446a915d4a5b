/**
 * Part 2: DynamoDB round trips and consumed capacity per accepted, denied and duplicate alert, one
 * alert at a time through the Lambda handler, counted by the metering middleware (./ddb-meter.ts).
 * Alerts sent back to back find the book their container wrote moments before (no read); a few
 * accepted alerts are also sent to an idle container, more than 5 s apart, so each reads the book.
 * Then the same for accepted alerts on a book seeded with 1,000 applied marks, one a minute, as the
 * 7-day mark retention before this change left it (and as containers that never settle the symbol
 * again leave theirs): the first settlement of the symbol prunes the marks older than an hour, and
 * the alerts after it show what the book costs from then on (an hour of other containers' marks).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../src/store/table.ts';
import { AlertBodies } from './alerts.ts';
import { type Trip, type TripTotals, totals } from './ddb-meter.ts';
import type { Engine } from './engines.ts';
import { type BenchLambda, bootLambda, functionUrlEvent, lambdaContext, statusOf } from './lambda-app.ts';
import { round } from './stats.ts';

/** Averages per alert of one kind. */
export interface KindCost extends Omit<TripTotals, 'itemsRead'> {
  alerts: number;
  statuses: Record<string, number>;
}

/** One trip of the traced accepted alert. */
export interface TraceRow {
  n: number;
  op: string;
  item: string;
  owner: string;
  rcu: number;
  wcu: number;
  indexUnits: number;
  refused: boolean;
}

/** What part 2 found on one engine. */
export interface TripReport {
  engine: string;
  accepted: KindCost;
  duplicate: KindCost;
  denied: KindCost;
  /** The trips of one accepted alert, in order. */
  acceptedTrace: TraceRow[];
  /** Accepted alerts to a container idle for longer than its recent book is used (each reads the book). */
  acceptedIdle: KindCost;
  /**
   * Accepted alerts on a symbol whose book entry was seeded with `marks` applied marks: the first alert
   * (which prunes them), the alerts after it, and the book item's size before and after.
   */
  withHistory: {
    marks: number;
    first: KindCost;
    after: KindCost;
    bookItemBytesBefore: number;
    bookItemBytesAfter: number;
  };
}

/** Longer than the webhook sizes from a recent book (RECENT_BOOK_MS in src/app/order-execution.ts). */
const IDLE_MS = 5_200;

/** Measures `perKind` alerts of each kind against a fresh table on `engine`. */
export async function measureTrips(engine: Engine, perKind: number, marks: number): Promise<TripReport> {
  const tableName = await engine.createTable('bench-trips');
  const lambda = await bootLambda(engine.endpoint, tableName);
  const bodies = new AlertBodies(`trips-${engine.name}`);
  try {
    for (let i = 0; i < 5; i += 1) await send(lambda, bodies.accepted());
    lambda.meter.take();
    const acceptedBodies = Array.from({ length: perKind }, () => bodies.accepted());
    const acceptedRuns = await sendEach(lambda, acceptedBodies);
    const duplicateRuns = await sendEach(lambda, acceptedBodies);
    const deniedRuns = await sendEach(
      lambda,
      Array.from({ length: perKind }, () => bodies.denied()),
    );
    const trace = (acceptedRuns[0]?.trips ?? []).map((trip, index) => traceRow(index + 1, trip));
    const idleRuns: Run[] = [];
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      idleRuns.push(...(await sendEach(lambda, [bodies.accepted()])));
    }

    await seedMarks(lambda, 'AAPL', marks);
    const bytesBefore = await bookItemBytes(lambda);
    const [first, ...after] = await sendEach(
      lambda,
      Array.from({ length: perKind + 1 }, () => bodies.accepted('AAPL')),
    );
    return {
      engine: engine.name,
      accepted: average(acceptedRuns),
      duplicate: average(duplicateRuns),
      denied: average(deniedRuns),
      acceptedTrace: trace,
      acceptedIdle: average(idleRuns),
      withHistory: {
        marks,
        first: average(first ? [first] : []),
        after: average(after),
        bookItemBytesBefore: bytesBefore,
        bookItemBytesAfter: await bookItemBytes(lambda),
      },
    };
  } finally {
    lambda.close();
  }
}

interface Run {
  status: string;
  trips: Trip[];
}

async function send(lambda: BenchLambda, body: string): Promise<string> {
  return statusOf(await lambda.handler(functionUrlEvent(body), lambdaContext()));
}

async function sendEach(lambda: BenchLambda, bodies: readonly string[]): Promise<Run[]> {
  const runs: Run[] = [];
  for (const body of bodies) {
    const event = functionUrlEvent(body);
    lambda.meter.take();
    const status = statusOf(await lambda.handler(event, lambdaContext()));
    runs.push({ status, trips: lambda.meter.take() });
  }
  return runs;
}

function average(runs: readonly Run[]): KindCost {
  const statuses: Record<string, number> = {};
  for (const run of runs) statuses[run.status] = (statuses[run.status] ?? 0) + 1;
  const sums = runs.map((run) => totals(run.trips));
  const mean = (key: keyof TripTotals) =>
    round(sums.reduce((total, sum) => total + sum[key], 0) / Math.max(1, runs.length), 2);
  return {
    alerts: runs.length,
    statuses,
    trips: mean('trips'),
    ours: mean('ours'),
    paper: mean('paper'),
    rcu: mean('rcu'),
    wcu: mean('wcu'),
    oursRcu: mean('oursRcu'),
    oursWcu: mean('oursWcu'),
    refused: mean('refused'),
  };
}

function traceRow(n: number, trip: Trip): TraceRow {
  const { op, item, owner, rcu, wcu, indexUnits, refused } = trip;
  return { n, op, item, owner, rcu, wcu, indexUnits, refused };
}

/**
 * Gives `symbol`'s position `count` applied marks shaped exactly like the one the last settlement
 * wrote (fill id, released flag, time), one a minute back from now, as the 7-day retention left them.
 */
async function seedMarks(lambda: BenchLambda, symbol: string, count: number): Promise<void> {
  const { doc } = lambda.table;
  const book = await doc.send(
    new GetCommand({ TableName: lambda.table.tableName, Key: keys.book(lambda.deps.accountId) }),
  );
  const position = book.Item?.[`p#${symbol}`] as { applied?: Record<string, unknown> } | undefined;
  const [template] = Object.values(position?.applied ?? {});
  if (template === undefined) throw new Error(`no applied mark on ${symbol} to copy`);
  const applied: Record<string, unknown> = { ...position?.applied };
  const at = new Date();
  for (let i = 0; i < count; i += 1) {
    const alertId = `${(at.getTime() - i * 60_000).toString(36).padStart(9, '0')}${i.toString(16).padStart(12, '0')}`;
    const clientOrderId = `pb-${alertId}-1`;
    const markedAt = new Date(at.getTime() - i * 60_000).toISOString();
    applied[clientOrderId] = { ...(template as object), fillIds: [`${clientOrderId}-f1`], at: markedAt };
  }
  await doc.send(
    new UpdateCommand({
      TableName: lambda.table.tableName,
      Key: keys.book(lambda.deps.accountId),
      UpdateExpression: 'SET #p.applied = :applied',
      ExpressionAttributeNames: { '#p': `p#${symbol}` },
      ExpressionAttributeValues: { ':applied': applied },
    }),
  );
  lambda.meter.take();
}

async function bookItemBytes(lambda: BenchLambda): Promise<number> {
  const book = await lambda.table.doc.send(
    new GetCommand({ TableName: lambda.table.tableName, Key: keys.book(lambda.deps.accountId) }),
  );
  lambda.meter.take();
  return dynamoItemBytes(book.Item ?? {});
}

/** DynamoDB's item size: attribute names plus values (strings and numbers approximated by their text). */
export function dynamoItemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + dynamoItemBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + dynamoItemBytes(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value).reduce(
        (sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + dynamoItemBytes(v),
        0,
      )
    );
  }
  return 0;
}
