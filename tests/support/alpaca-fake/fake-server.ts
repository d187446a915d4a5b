/**
 * The fake's HTTP pipeline (node:http on 127.0.0.1): record, wait the latency, authenticate,
 * validate against the spec, meet a queued fault, answer from the book, check the answer against
 * the spec. See ./index.ts for the order and meaning of each step.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FakeBook } from './fake-book.ts';
import type { FakeFault, FaultQueue } from './fake-faults.ts';
import { answer, errorAnswer, type FakeAnswer, type FakeClock, NOT_IMPLEMENTED } from './fake-routes.ts';
import type { SpecValidator } from './spec-validator.ts';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, the raw text when it is not JSON, undefined when there is none. */
  body: unknown;
}

/** A departure from the spec, by the client (request) or by the fake itself. */
export interface Violation {
  kind: 'request' | 'response' | 'unimplemented';
  method: string;
  path: string;
  errors: string[];
}

/** What the pipeline reads and writes; the fake owns it and changes it between requests. */
export interface FakeState {
  book: FakeBook;
  faults: FaultQueue;
  validator: SpecValidator;
  keyId: string;
  secretKey: string;
  now: () => Date;
  account: { id: string; createdAt: Date };
  requests: RecordedRequest[];
  violations: Violation[];
  latencyMs: number;
  clock: FakeClock;
}

/** The fake's HTTP server. */
export class FakeServer {
  private readonly server: Server;
  private readonly hangs = new Set<() => void>();
  private port = 0;

  constructor(private readonly state: FakeState) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent && !response.destroyed) write(response, errorAnswer(500, String(error)));
      });
    });
  }

  /** The base URL (no trailing slash). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on a free loopback port. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Stops, dropping open connections and held answers. */
  async close(): Promise<void> {
    for (const release of this.hangs) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { state } = this;
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = request.method ?? 'GET';
    const body = parseBody(raw);
    state.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
    if (state.latencyMs > 0) await this.wait(state.latencyMs);
    const headers = request.headers;
    if (headers['apca-api-key-id'] !== state.keyId || headers['apca-api-secret-key'] !== state.secretKey) {
      return write(response, errorAnswer(401, 'request is not authorized'));
    }
    const check = state.validator.checkRequest({
      method,
      pathname: url.pathname,
      query: url.searchParams,
      body: raw,
      contentType: headers['content-type'],
    });
    if (check.errors.length > 0 || !check.route) {
      state.violations.push({ kind: 'request', method, path: url.pathname, errors: check.errors });
      return write(response, errorAnswer(422, `request does not match the spec: ${check.errors.join('; ')}`));
    }
    const fault = state.faults.take(method, url.pathname);
    if (fault?.kind === 'reset_before') return void request.socket.destroy();
    if (fault?.kind === 'status') {
      return write(response, errorAnswer(fault.status, fault.message ?? 'internal server error'));
    }
    if (fault?.kind === 'rate_limit') return write(response, this.rateLimited(fault));
    const { template, params } = check.route;
    const answered = answer({
      book: state.book,
      method,
      template,
      params,
      query: url.searchParams,
      body,
      clock: state.clock,
      account: state.account,
      now: state.now(),
    });
    this.checkAnswer(method, template, url.pathname, answered);
    if (fault?.kind === 'reset_after') return void request.socket.destroy();
    if (fault?.kind === 'hang_after') await this.wait(fault.ms, response);
    if (!response.destroyed) write(response, answered);
  }

  private checkAnswer(method: string, template: string, path: string, answered: FakeAnswer): void {
    if (answered.status === NOT_IMPLEMENTED) {
      this.state.violations.push({ kind: 'unimplemented', method, path, errors: [String(answered.status)] });
      return;
    }
    const errors = this.state.validator.checkResponse(method, template, answered.status, answered.body);
    if (errors.length > 0) this.state.violations.push({ kind: 'response', method, path, errors });
  }

  private rateLimited(fault: Extract<FakeFault, { kind: 'rate_limit' }>): FakeAnswer {
    const reset = Math.ceil(this.state.now().getTime() / 1000) + (fault.resetInSeconds ?? 1);
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(fault.limit ?? 200),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(reset),
    };
    if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
    return { ...errorAnswer(429, 'rate limit exceeded'), headers };
  }

  /** Waits `ms` (forever when undefined), cut short when the fake or the client's connection closes. */
  private wait(ms: number | undefined, response?: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.hangs.delete(release);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(release, ms);
      this.hangs.add(release);
      response?.once('close', release);
    });
  }
}

function write(response: ServerResponse, answered: FakeAnswer): void {
  const headers: Record<string, string> = { ...answered.headers };
  if (answered.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
  response.writeHead(answered.status, headers);
  response.end(answered.body === undefined ? undefined : JSON.stringify(answered.body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
