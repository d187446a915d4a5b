/**
 * A fake of Schwab's Trader API and OAuth endpoints: a real HTTP server on 127.0.0.1 (port 0), built
 * from Schwab's published API description. It serves
 *   POST /v1/oauth/token                                 (fake-oauth.ts)
 *   GET  /trader/v1/accounts/accountNumbers
 *   GET  /trader/v1/accounts/{hash}[?fields=positions]
 *   POST /trader/v1/accounts/{hash}/orders               201, Location, no body; strict body check
 *   GET  /trader/v1/accounts/{hash}/orders?fromEnteredTime&toEnteredTime[&maxResults]
 *   GET, DELETE /trader/v1/accounts/{hash}/orders/{id}
 * and lets a test inject faults: a status (5xx, 429 with Retry-After, 401, ...), or a connection
 * reset before the request is handled or after it was (the order then exists, its answer is lost).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FakeBook } from './fake-book.ts';
import { FakeOAuth } from './fake-oauth.ts';
import { FAKE_ACCOUNT_NUMBER, renderAccount, renderOrder } from './fake-render.ts';
import { OrderRequest } from './order-request.ts';

/** A fault the next matching request meets. */
export type FakeFault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'reset-before' }
  | { kind: 'reset-after' };

/** Which requests a fault applies to. */
export interface FaultMatch {
  method?: string;
  /** A substring of the path. */
  path?: string;
  /** How many matching requests meet it (default 1). */
  times?: number;
}

/** One request the fake received. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The fake's app registration and clock. */
export interface SchwabFakeOptions {
  appKey?: string;
  appSecret?: string;
  callbackUrl?: string;
  /** The accounts the login reaches (default one: 12345678 with hash HASH-1). */
  accounts?: Array<{ accountNumber: string; hashValue: string }>;
  now?: () => Date;
}

/** A running fake. */
export class SchwabFake {
  readonly oauth: FakeOAuth;
  readonly book: FakeBook;
  readonly requests: FakeRequest[] = [];
  /** Bodies of every order POST, as sent. */
  readonly placed: unknown[] = [];
  readonly app: { appKey: string; appSecret: string; callbackUrl: string };
  private readonly accounts: Array<{ accountNumber: string; hashValue: string }>;
  private readonly faults: Array<{ fault: FakeFault; match: FaultMatch; left: number }> = [];
  private server: Server | undefined;
  private url = '';

  private constructor(options: SchwabFakeOptions) {
    const now = options.now ?? (() => new Date());
    this.app = {
      appKey: options.appKey ?? 'fake-app-key',
      appSecret: options.appSecret ?? 'fake-app-secret',
      callbackUrl: options.callbackUrl ?? 'https://127.0.0.1',
    };
    this.accounts = options.accounts ?? [{ accountNumber: FAKE_ACCOUNT_NUMBER, hashValue: 'HASH-1' }];
    this.oauth = new FakeOAuth(this.app, now);
    this.book = new FakeBook(now);
  }

  /** Starts a fake on a free loopback port. */
  static async start(options: SchwabFakeOptions = {}): Promise<SchwabFake> {
    const fake = new SchwabFake(options);
    const server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    fake.server = server;
    fake.url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** The fake's base URL (as https://api.schwabapi.com is Schwab's). */
  get baseUrl(): string {
    return this.url;
  }

  /** The next `times` requests matching `match` meet `fault`. */
  inject(fault: FakeFault, match: FaultMatch = {}): void {
    this.faults.push({ fault, match, left: match.times ?? 1 });
  }

  /** Requests to a path containing `part`, optionally of one method. */
  requestsTo(part: string, method?: string): FakeRequest[] {
    return this.requests.filter(
      (r) => r.path.includes(part) && (method === undefined || r.method === method),
    );
  }

  /** Stops the server. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    this.requests.push({ method, path: url.pathname, query: url.searchParams });
    const fault = this.takeFault(method, url.pathname);
    if (fault?.kind === 'reset-before') return void req.socket.destroy();
    if (fault?.kind === 'status') return send(res, fault);
    const answer = this.route(method, url, body, req.headers.authorization);
    if (fault?.kind === 'reset-after') return void req.socket.destroy();
    send(res, answer);
  }

  private route(method: string, url: URL, body: string, authorization: string | undefined): Answer {
    const path = url.pathname;
    if (path === '/v1/oauth/token' && method === 'POST') {
      return this.oauth.token(authorization, new URLSearchParams(body));
    }
    if (!path.startsWith('/trader/v1/')) return { status: 404, body: { message: 'Not Found' } };
    if (!this.oauth.authorized(authorization)) {
      return {
        status: 401,
        body: { errors: [{ status: 401, title: 'Unauthorized', detail: 'token invalid' }] },
      };
    }
    if (path === '/trader/v1/accounts/accountNumbers' && method === 'GET')
      return { status: 200, body: this.accounts };
    const match = /^\/trader\/v1\/accounts\/([^/]+)(\/orders(?:\/(\d+))?)?$/.exec(path);
    const hash = match?.[1];
    if (hash === undefined || !this.accounts.some((account) => account.hashValue === hash)) {
      return { status: 404, body: { message: 'Account not found' } };
    }
    if (match?.[2] === undefined) {
      if (method !== 'GET') return { status: 405, body: { message: 'Method not allowed' } };
      return { status: 200, body: renderAccount(this.book, url.searchParams.get('fields') === 'positions') };
    }
    const orderId = match[3];
    if (orderId === undefined) return method === 'POST' ? this.placeOrder(path, body) : this.listOrders(url);
    const order = this.book.find(Number(orderId));
    if (order === undefined) return { status: 404, body: { message: `Order ${orderId} not found` } };
    if (method === 'GET') return { status: 200, body: renderOrder(order) };
    if (method !== 'DELETE') return { status: 405, body: { message: 'Method not allowed' } };
    const refusal = this.book.cancel(order.orderId);
    return refusal === undefined ? { status: 200 } : { status: 400, body: { message: refusal } };
  }

  private placeOrder(path: string, body: string): Answer {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { status: 400, body: { message: 'Malformed JSON' } };
    }
    this.placed.push(json);
    const parsed = OrderRequest.safeParse(json);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      return {
        status: 400,
        body: { message: 'A validation error occurred while processing the request.', errors },
      };
    }
    const placed = this.book.place(parsed.data);
    if (!placed.ok) return { status: 400, body: { message: placed.message } };
    return { status: 201, headers: { location: `${this.url}${path}/${placed.order.orderId}` } };
  }

  private listOrders(url: URL): Answer {
    const from = Date.parse(url.searchParams.get('fromEnteredTime') ?? '');
    const to = Date.parse(url.searchParams.get('toEnteredTime') ?? '');
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return { status: 400, body: { message: 'fromEnteredTime and toEnteredTime are required' } };
    }
    const max = Number(url.searchParams.get('maxResults') ?? 3000);
    const orders = this.book.list(new Date(from), new Date(to), max);
    return { status: 200, body: orders.map(renderOrder) };
  }

  private takeFault(method: string, path: string): FakeFault | undefined {
    const entry = this.faults.find(
      ({ match, left }) =>
        left > 0 &&
        (match.method === undefined || match.method === method) &&
        (match.path === undefined || path.includes(match.path)),
    );
    if (entry === undefined) return undefined;
    entry.left -= 1;
    return entry.fault;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(answer.status, headers);
  res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
}
