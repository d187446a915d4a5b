/**
 * Part 4, the cold start proxy: both Lambda entries bundled with the stack's own esbuild settings
 * (infra/esbuild-options.ts exports them, ESBUILD_OPTIONS and LAMBDA_ENTRIES, and infra/bundling.ts
 * hands them to the NodejsFunctions; infra/ is being written as this lands, so they are looked up
 * at run time and a mirror of them is used, and said so, when neither module exports them), their
 * size and what makes it up (every output file, and the part importing the entry loads, which is
 * less when the settings split code into chunks), and the time a fresh `node` process takes to
 * import the bundle, whose top-level await reads the configuration, builds the clients and the
 * dependencies and prepares the account's book (one DynamoDB round trip against the engine once the
 * book exists, which the discarded first run sees to). Ten processes per bundle after one discarded
 * run; the median is reported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { z } from 'zod';
import { appEnv } from './alerts.ts';
import type { Engine } from './engines.ts';
import { median, round } from './stats.ts';

/** One bundle's size and init times. */
export interface BundleReport {
  /** Every output file (with code splitting, the entry and its chunks). */
  bytes: number;
  /** What importing the entry loads: the entry and the chunks it imports statically, not the lazy ones. */
  initBytes: number;
  files: number;
  /** Output bytes per package (top 8), from esbuild's metafile. */
  topPackages: Array<{ name: string; bytes: number }>;
  /** import() of the bundle until its module evaluation (boot included) is done, per process. */
  initMs: number[];
  initMsMedian: number;
  /** From process start (performance.timeOrigin) to the same point: Node's own start-up included. */
  sinceProcessStartMsMedian: number;
}

/** What part 4 found. */
export interface ColdStartReport {
  settingsSource: string;
  esbuild: Record<string, unknown>;
  webhook: BundleReport;
  reconcile: BundleReport;
}

const PROCESSES = 10;

/** The child: imports the bundle given and prints how long that took. */
const CHILD = `
import { pathToFileURL } from 'node:url';
const started = performance.now();
await import(pathToFileURL(process.argv[2]).href);
const done = performance.now();
process.stdout.write(JSON.stringify({ importMs: done - started, sinceStartMs: done }) + '\\n');
process.exit(0);
`;

/** Bundles both entries and times their init against `engine`. */
export async function measureColdStart(engine: Engine): Promise<ColdStartReport> {
  const dir = mkdtempSync(join(tmpdir(), 'pinebridge-bench-bundle-'));
  try {
    const child = join(dir, 'init-child.mjs');
    writeFileSync(child, CHILD);
    const tableName = await engine.createTable('bench-cold');
    const env = {
      ...processEnv(),
      ...appEnv(engine.endpoint, tableName),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const stack = await stackSettings();
    const report = async (name: 'webhook' | 'reconcile'): Promise<BundleReport> => {
      const outdir = join(dir, name);
      const outfile = join(outdir, 'index.mjs');
      const result = await build({
        ...stack.options,
        entryPoints: { index: stack.entries[name] },
        outdir,
        outExtension: { '.js': '.mjs' },
        metafile: true,
        logLevel: 'silent',
      });
      await initOnce(child, outfile, env);
      const initMs: number[] = [];
      const sinceStart: number[] = [];
      for (let i = 0; i < PROCESSES; i += 1) {
        const timing = await initOnce(child, outfile, env);
        initMs.push(round(timing.importMs, 1));
        sinceStart.push(round(timing.sinceStartMs, 1));
      }
      const outputs = Object.values(result.metafile.outputs);
      return {
        bytes: outputs.reduce((sum, output) => sum + output.bytes, 0),
        initBytes: initBytes(result.metafile, outfile),
        files: outputs.length,
        topPackages: packages(result.metafile),
        initMs,
        initMsMedian: median(initMs),
        sinceProcessStartMsMedian: median(sinceStart),
      };
    };
    return {
      settingsSource: stack.source,
      esbuild: { ...stack.options },
      webhook: await report('webhook'),
      reconcile: await report('reconcile'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const StackSettings = z.object({
  ESBUILD_OPTIONS: z.looseObject({
    bundle: z.boolean(),
    platform: z.enum(['node', 'browser', 'neutral']),
    format: z.enum(['esm', 'cjs', 'iife']),
    target: z.string(),
    minify: z.boolean(),
    sourcemap: z.boolean(),
    mainFields: z.array(z.string()).readonly(),
    external: z.array(z.string()).readonly(),
    alias: z.optional(z.record(z.string(), z.string())),
  }),
  LAMBDA_ENTRIES: z.object({ webhook: z.string(), reconcile: z.string() }),
});

/** The settings as infra/ exports them, else a mirror of what infra/bundling.ts held when this was written. */
async function stackSettings(): Promise<{
  source: string;
  options: BuildOptions;
  entries: { webhook: string; reconcile: string };
}> {
  for (const module of ['../infra/esbuild-options.ts', '../infra/bundling.ts']) {
    const loaded = await import(module).then(
      (exports: unknown) => StackSettings.safeParse(exports),
      () => undefined,
    );
    if (!loaded?.success) continue;
    const options = loaded.data.ESBUILD_OPTIONS;
    return {
      source: `${module.slice(3)} (ESBUILD_OPTIONS, LAMBDA_ENTRIES), the settings the CDK stack bundles with`,
      options: { ...options, mainFields: [...options.mainFields], external: [...options.external] },
      entries: loaded.data.LAMBDA_ENTRIES,
    };
  }
  const root = new URL('../functions/', import.meta.url);
  return {
    source: 'MIRRORED: infra/ exported no settings; a copy of infra/bundling.ts as of this benchmark',
    options: {
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      sourcemap: false,
      mainFields: ['module', 'main'],
      external: [],
    },
    entries: {
      webhook: new URL('webhook.ts', root).pathname,
      reconcile: new URL('reconcile.ts', root).pathname,
    },
  };
}

/** The parent's environment without any of the product's own variables. */
function processEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !/^(PORT|HOST|DATA_DIR|WEBHOOK_PASSPHRASE|API_TOKEN|DYNAMODB_.*|BROKER|PINEBRIDGE_.*)$/.test(
          entry[0],
        ),
    ),
  );
}

function initOnce(
  child: string,
  bundle: string,
  env: Record<string, string>,
): Promise<{ importMs: number; sinceStartMs: number }> {
  return new Promise((resolve, reject) => {
    const node = spawn(process.execPath, [child, bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    node.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    node.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    node.once('exit', (code) => {
      const line = out.split('\n').find((candidate) => candidate.startsWith('{"importMs"'));
      if (code !== 0 || line === undefined) {
        reject(new Error(`bundle init failed (${code}): ${err.slice(0, 2000)}${out.slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(line) as { importMs: number; sinceStartMs: number });
    });
  });
}

/** The bytes of `entry` and of every output it imports statically, directly or not. */
function initBytes(metafile: Metafile, entry: string): number {
  const byPath = new Map(Object.entries(metafile.outputs).map(([path, output]) => [resolve(path), output]));
  const loaded = new Set<string>();
  const visit = (path: string) => {
    const output = byPath.get(path);
    if (output === undefined || loaded.has(path)) return;
    loaded.add(path);
    for (const imported of output.imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(resolve(imported.path));
    }
  };
  visit(resolve(entry));
  return [...loaded].reduce((sum, path) => sum + (byPath.get(path)?.bytes ?? 0), 0);
}

/** Output bytes grouped by npm package (or `src`, `functions` for our own code). */
function packages(metafile: Metafile): Array<{ name: string; bytes: number }> {
  const sums = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? path.split('/')[0] ?? path;
      sums.set(name, (sums.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...sums.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
}
