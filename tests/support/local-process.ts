/**
 * The product as a user runs it: `npm start` in its own process group, on a free port, with its data
 * in a directory of the caller's choosing (a fresh temporary one by default, removed on stop), and
 * with market hours not enforced unless the caller's environment says so (the suite runs at any hour). The
 * start-up banner is the only source of the URL and the secrets. Every process started here is killed
 * when the test process exits, so a failing or interrupted suite leaves nothing running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** A running `npm start`. */
export interface LocalProcess {
  /** The server's base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The webhook URL as the banner prints it. */
  webhookUrl: string;
  passphrase: string;
  apiToken: string;
  /** The banner's word for where each secret came from: env, file or generated. */
  passphraseSource: string;
  apiTokenSource: string;
  dataDir: string;
  /** Posts a webhook body (objects are sent as JSON, strings as they are). */
  webhook(body: unknown): Promise<HttpAnswer>;
  /** Calls the API with the banner's token (or the headers given). */
  api(path: string, init?: RequestInit): Promise<HttpAnswer>;
  /**
   * Stops the process group with SIGTERM and waits until it has exited; then removes the data
   * directory if `start` made it, unless `keepData` (to start again over it).
   */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

/** An HTTP answer: status, raw text and the text parsed as JSON (undefined when it is not JSON). */
export interface HttpAnswer {
  status: number;
  text: string;
  json: unknown;
}

/** Options of `start`. */
export interface StartOptions {
  /** Reuse a data directory (to restart over earlier state); a fresh temporary one when absent. */
  dataDir?: string;
  /** How long to wait for the banner. */
  timeoutMs?: number;
}

const ROOT = join(import.meta.dirname, '..', '..');
/** Variables of the product's configuration: not inherited from the test runner's environment. */
const PRODUCT_VARIABLES =
  /^(PORT|HOST|DATA_DIR|WEBHOOK_PASSPHRASE|API_TOKEN|DYNAMODB_.*|BROKER|PINEBRIDGE_.*)$/;
/** Settings every test server starts with unless the test says otherwise: the suite runs at any hour. */
const TEST_DEFAULTS: Record<string, string> = { PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false' };
const STOP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 3;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/** Runs `npm start` with `env` on top of a clean environment and waits for its banner. */
export async function start(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<LocalProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pinebridge-e2e-'));
  const owned = options.dataDir === undefined;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const started = await startOnce(env, dataDir, options.timeoutMs ?? 45_000);
      return {
        ...started,
        stop: async (stopOptions) => {
          await started.stop();
          if (owned && !stopOptions?.keepData) rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // Another process may take the probed port before the server binds it: try another one.
      const portTaken = error instanceof Error && error.message.includes('EADDRINUSE');
      if (!portTaken || attempt >= PORT_ATTEMPTS) {
        if (owned) rmSync(dataDir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function startOnce(
  env: Record<string, string>,
  dataDir: string,
  timeoutMs: number,
): Promise<LocalProcess> {
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !PRODUCT_VARIABLES.test(name)),
  );
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...inherited, ...TEST_DEFAULTS, PORT: String(port), DATA_DIR: dataDir, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const collect = (chunk: string) => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), delay(STOP_TIMEOUT_MS).then(() => false)]);
    if (!stopped) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    // npm exits once its child has; the rest of the group (tsx, node, esbuild) must be gone as well
    // before another process opens the same data directory.
    await waitForGroupExit(child);
    running.delete(child);
  };

  try {
    const banner = await waitForBanner(() => output, exited, timeoutMs);
    const webhookUrl = banner.webhookUrl;
    const url = webhookUrl.replace(/\/webhook$/, '');
    const headers = (init?: RequestInit) => ({
      authorization: `Bearer ${banner.apiToken}`,
      ...Object.fromEntries(new Headers(init?.headers).entries()),
    });
    return {
      ...banner,
      url,
      dataDir,
      webhook: (body) =>
        answer(
          fetch(webhookUrl, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }),
        ),
      api: (path, init) => answer(fetch(`${url}${path}`, { ...init, headers: headers(init) })),
      stop,
      output: () => output,
    };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`npm start did not come up: ${reason}\n--- output ---\n${output}`);
  }
}

interface Banner {
  webhookUrl: string;
  passphrase: string;
  apiToken: string;
  passphraseSource: string;
  apiTokenSource: string;
}

/** Waits until the banner's webhook URL and secret lines are all out. */
async function waitForBanner(
  output: () => string,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<Banner> {
  const deadline = Date.now() + timeoutMs;
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  while (Date.now() < deadline) {
    const text = output();
    const webhookUrl = /webhook URL\s+(\S+)/.exec(text)?.[1];
    const passphrase = /passphrase\s+(\S+)\s+\((\w+);/.exec(text);
    const apiToken = /API token\s+(\S+)\s+\((\w+);/.exec(text);
    if (webhookUrl && passphrase?.[1] && passphrase[2] && apiToken?.[1] && apiToken[2]) {
      return {
        webhookUrl,
        passphrase: passphrase[1],
        passphraseSource: passphrase[2],
        apiToken: apiToken[1],
        apiTokenSource: apiToken[2],
      };
    }
    if (hasExited) throw new Error('the process exited before printing its banner');
    await delay(50);
  }
  throw new Error(`no banner within ${timeoutMs} ms`);
}

async function answer(response: Promise<Response>): Promise<HttpAnswer> {
  const received = await response;
  const text = await received.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: received.status, text, json };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitForGroupExit(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await delay(50);
  }
  killGroup(child, 'SIGKILL');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
