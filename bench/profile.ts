/**
 * CPU profiles: V8's sampling profiler (the one `node --cpu-prof` starts, here started through
 * node:inspector once the handler is warm, so start-up and transpiling are not in it) over alerts
 * sent one at a time through the Lambda handler: against dynalite in its own process (the hot
 * path), and over the in-memory doubles of part 3 (our own overhead alone).
 * The profile is written as a .cpuprofile (open it in Chrome DevTools or speedscope) and summarized:
 * busy time per alert, the share by origin (our code, zod, the AWS SDK, Hono, Powertools, Node, GC),
 * and the top functions by self time.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpEventV2 } from '../tests/support/lambda-events.ts';
import { AlertBodies } from './alerts.ts';
import type { Engine } from './engines.ts';
import { bootLambda, functionUrlEvent, lambdaContext } from './lambda-app.ts';
import { round } from './stats.ts';
import { divertStdout } from './stdout-sink.ts';

/** What the profile shows. */
export interface ProfileReport {
  file: string;
  alerts: number;
  wallMsPerAlert: number;
  /** CPU time of this process per alert (process.cpuUsage: user + system), SDK and GC included. */
  cpuMsPerAlert: number;
  /** Sampled non-idle time per alert. */
  busyMsPerAlert: number;
  /** Share of busy samples by origin, percent. */
  byOrigin: Record<string, number>;
  /** Top functions by self time: name, where, percent of busy samples. */
  topFrames: Frame[];
  /** The same, only our own code and zod (what a change in src/ can remove). */
  topOwnFrames: Frame[];
}

/** One function's self time. */
export interface Frame {
  fn: string;
  at: string;
  origin: string;
  selfPct: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  startTime: number;
  endTime: number;
}

/** Profiles `alerts` alerts through the Lambda handler against `engine`, one at a time, after `warmup`. */
export async function profileHotPath(engine: Engine, alerts: number, warmup: number): Promise<ProfileReport> {
  const tableName = await engine.createTable('bench-profile');
  const lambda = await bootLambda(engine.endpoint, tableName);
  try {
    return await profileAlerts('hot-path', alerts, warmup, (event) => lambda.handler(event, lambdaContext()));
  } finally {
    lambda.close();
  }
}

/** Profiles `alerts` unique alerts sent one at a time to `send`, after `warmup` unmeasured ones. */
export async function profileAlerts(
  name: string,
  alerts: number,
  warmup: number,
  send: (event: HttpEventV2) => Promise<unknown>,
): Promise<ProfileReport> {
  const bodies = new AlertBodies(`profile-${name}`);
  const sink = divertStdout();
  const session = new Session();
  session.connect();
  try {
    for (let i = 0; i < warmup; i += 1) await send(functionUrlEvent(bodies.accepted()));
    const events = Array.from({ length: alerts }, () => functionUrlEvent(bodies.accepted()));
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const event of events) await send(event);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    const file = join(tmpdir(), `pinebridge-${name}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return {
      file,
      alerts,
      wallMsPerAlert: round(wallMs / alerts, 3),
      cpuMsPerAlert: round((cpu.user + cpu.system) / 1000 / alerts, 3),
      ...summarize(profile, alerts),
    };
  } finally {
    session.disconnect();
    sink.restore();
  }
}

function summarize(
  profile: CpuProfile,
  alerts: number,
): Pick<ProfileReport, 'busyMsPerAlert' | 'byOrigin' | 'topFrames' | 'topOwnFrames'> {
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples?.length ?? 0;
  const msPerSample = total === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / total;
  const byFrame = new Map<string, { fn: string; at: string; origin: string; hits: number }>();
  const byOrigin = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (count === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const origin = originOf(functionName, url);
    if (origin === 'idle') continue;
    busy += count;
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + count);
    const at = url === '' ? '(native)' : `${shortPath(url)}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`;
    const key = `${functionName}@${at}`;
    const frame = byFrame.get(key) ?? { fn: functionName || '(anonymous)', at, origin, hits: 0 };
    frame.hits += count;
    byFrame.set(key, frame);
  }
  const pct = (count: number) => round((100 * count) / Math.max(1, busy), 1);
  const frames = [...byFrame.values()].sort((a, b) => b.hits - a.hits);
  const top = (list: typeof frames, n: number) =>
    list.slice(0, n).map(({ fn, at, origin, hits: count }) => ({ fn, at, origin, selfPct: pct(count) }));
  return {
    busyMsPerAlert: round((busy * msPerSample) / alerts, 3),
    byOrigin: Object.fromEntries(
      [...byOrigin.entries()].sort((a, b) => b[1] - a[1]).map(([origin, count]) => [origin, pct(count)]),
    ),
    topFrames: top(frames, 25),
    topOwnFrames: top(
      frames.filter((frame) => frame.origin === 'pinebridge src' || frame.origin === 'zod'),
      12,
    ),
  };
}

function originOf(functionName: string, url: string): string {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'v8 (program)';
  if (url.includes('/node_modules/zod/')) return 'zod';
  if (/\/node_modules\/(@aws-sdk|@smithy|fast-xml-parser|bowser|tslib)\//.test(url)) return 'aws-sdk';
  if (url.includes('/node_modules/hono/') || url.includes('/node_modules/@hono/')) return 'hono';
  if (url.includes('/node_modules/@aws-lambda-powertools/')) return 'powertools';
  if (url.includes('/node_modules/')) return 'other packages';
  if (url.includes('/src/')) return 'pinebridge src';
  if (url.includes('/bench/') || url.includes('/tests/')) return 'bench harness';
  return 'node internals';
}

function shortPath(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const root = path.indexOf('/work/main/');
  return root >= 0 ? path.slice(root + '/work/main/'.length) : path;
}
