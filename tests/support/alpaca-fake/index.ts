/**
 * # Alpaca fake
 *
 * A real HTTP server (node:http on 127.0.0.1, a free port) speaking the part of Alpaca's Trading
 * API v2 that pinebridge uses, built from Alpaca's OpenAPI 3.0 spec (./trading-api.json, a copy of
 * Alpaca's MIT-licensed spec, version 2.0.1). Point an Alpaca client at `fake.url`.
 *
 * ```ts
 * const fake = await startAlpacaFake({ prices: { AAPL: 190 } });
 * const broker = new AlpacaBroker({ baseUrl: fake.url, keyId: fake.keyId, secretKey: fake.secretKey });
 * // ... exercise it ...
 * expect(fake.violations).toEqual([]);
 * await fake.close();
 * ```
 *
 * Endpoints: POST/GET /v2/orders, GET/DELETE /v2/orders/{order_id}, GET
 * /v2/orders:by_client_order_id, GET /v2/positions, GET /v2/account, GET /v2/clock and GET
 * /v2/account/activities/FILL, with their documented query parameters and pagination.
 *
 * Every request is checked in this order:
 * 1. recorded in `fake.requests` ({ method, path, query, body }), then the fixed latency is waited;
 * 2. authenticated: without APCA-API-KEY-ID / APCA-API-SECRET-KEY equal to the fake's keys the
 *    answer is 401 (the spec's 401 covers missing and invalid keys);
 * 3. validated against the spec: path and method exist, path and query parameters match their
 *    schemas (undeclared ones are refused), the JSON body matches the requestBody schema with no
 *    unlisted property. An invalid request is answered 422 and recorded in `fake.violations`,
 *    which a suite should assert stays empty. So are answers that break the spec's response schema
 *    (kind 'response') and spec operations the fake does not model (kind 'unimplemented', 501);
 * 4. met by a queued fault, if one matches (see ./fake-faults.ts and `inject`);
 * 5. answered from the fake's book (./fake-book.ts).
 *
 * Behaviour: uuid order ids; a client_order_id is refused (422 "client_order_id must be unique")
 * when reused, even after a cancel. Buys need buying power (cash less open buys), else 403
 * "insufficient buying power"; a blocked account gets 403. In `immediate` fill mode (the default)
 * market orders, and limit orders through the price, fill at once at the symbol's price (set with
 * `prices`/`setPrice`); everything else rests (`new`, or `restingStatus`) until the test calls
 * `fill` (partial fills by qty); ioc/fok remainders are canceled. Every fill moves cash and
 * positions and records a FILL activity (withheld on request, to model a lagging feed). DELETE
 * cancels at once (422 when the order has ended). Bracket/OTO exits are `held` legs until the entry
 * fills; OCO's stop leg works beside its limit parent; when one exit fills, its sibling is canceled.
 * Notional and trailing_stop orders are accepted per the spec. Errors are `{ code, message }`.
 * Not modelled: mleg/options, replace (PATCH), day-order expiry (use `setStatus`), other endpoints
 * (answered 501 and recorded as 'unimplemented').
 *
 * Controls (in-process): `setPrice`, `setFillMode`, `setTradingBlocked`, `setClock`, `place` (seed
 * an order without HTTP), `fill`, `setStatus`, `releaseActivities`; faults: `inject(fault, match)`
 * with kinds status (5xx), rate_limit (429 + X-RateLimit-* and optional Retry-After), reset_before,
 * reset_after, hang_after; `setLatency`, `clearFaults`, `pendingFaults`.
 * Inspection: `url`, `keyId`, `secretKey`, `requests`, `violations`, `orders`, `order(ref)`,
 * `activities`. `close()` stops it. `SpecValidator` is exported to check JSON against the spec.
 */
import { randomUUID } from 'node:crypto';
import { FakeBook, type FillOptions, type RestingStatus } from './fake-book.ts';
import { type FakeFault, type FaultMatch, FaultQueue } from './fake-faults.ts';
import type { AlpacaStatus } from './fake-orders.ts';
import { type AlpacaOrderJson, renderActivity, renderOrder } from './fake-render.ts';
import { type FakeClock, IMPLEMENTED } from './fake-routes.ts';
import { FakeServer, type FakeState, type RecordedRequest, type Violation } from './fake-server.ts';
import { readOrderRequest } from './order-request.ts';
import { SpecValidator } from './spec-validator.ts';

// The types a user of the fake meets, re-exported so one import serves.
export type { FillOptions, RestingStatus } from './fake-book.ts';
export type { FakeFault, FaultMatch } from './fake-faults.ts';
export type { AlpacaStatus } from './fake-orders.ts';
export type { AlpacaOrderJson } from './fake-render.ts';
export type { FakeClock } from './fake-routes.ts';
export type { RecordedRequest, Violation } from './fake-server.ts';
export { SpecValidator } from './spec-validator.ts';

/** How to start the fake. */
export interface AlpacaFakeOptions {
  keyId?: string;
  secretKey?: string;
  /** Starting cash (default 100,000). */
  cash?: number;
  /** Prices the fake trades and marks at, by symbol. */
  prices?: Record<string, number>;
  /** The price of symbols not in `prices`; without one their market orders wait for `fill`. */
  defaultPrice?: number;
  /** `immediate` (default): marketable orders fill on arrival. `manual`: only `fill` fills. */
  fillMode?: 'immediate' | 'manual';
  /** The status orders rest in until they fill (default `new`; Alpaca shows `accepted` out of hours). */
  restingStatus?: RestingStatus;
  /** The fake's clock (default: the real time). */
  now?: () => Date;
  /** The OpenAPI spec to validate against (default: ./trading-api.json). */
  specPath?: string | URL;
}

/** Loaded once per spec: compiling the spec's schemas is the slow part of starting a fake. */
const validators = new Map<string, SpecValidator>();

/** Starts a fake on a free loopback port. */
export async function startAlpacaFake(options: AlpacaFakeOptions = {}): Promise<AlpacaFake> {
  const specPath = options.specPath ?? new URL('./trading-api.json', import.meta.url);
  let validator = validators.get(String(specPath));
  if (!validator) {
    validator = SpecValidator.fromFile(specPath);
    validator.prepare(IMPLEMENTED);
    validators.set(String(specPath), validator);
  }
  const fake = new AlpacaFake(options, validator);
  await fake.listen();
  return fake;
}

/** A running fake Alpaca. */
export class AlpacaFake {
  readonly keyId: string;
  readonly secretKey: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Every departure from the spec seen; a suite should end with none. */
  readonly violations: Violation[] = [];
  private readonly book: FakeBook;
  private readonly state: FakeState;
  private readonly server: FakeServer;

  constructor(options: AlpacaFakeOptions, validator: SpecValidator) {
    this.keyId = options.keyId ?? 'fake-key-id';
    this.secretKey = options.secretKey ?? 'fake-secret-key';
    const now = options.now ?? (() => new Date());
    this.book = new FakeBook({
      now,
      cash: options.cash ?? 100_000,
      fillMode: options.fillMode ?? 'immediate',
      defaultPrice: options.defaultPrice,
      restingStatus: options.restingStatus ?? 'new',
    });
    for (const [symbol, price] of Object.entries(options.prices ?? {})) this.book.prices.set(symbol, price);
    const day = 86_400_000;
    const at = now().getTime();
    this.state = {
      book: this.book,
      faults: new FaultQueue(),
      validator,
      keyId: this.keyId,
      secretKey: this.secretKey,
      now,
      account: { id: randomUUID(), createdAt: new Date(at) },
      requests: this.requests,
      violations: this.violations,
      latencyMs: 0,
      clock: {
        isOpen: true,
        nextOpen: new Date(at + day).toISOString(),
        nextClose: new Date(at + day / 4).toISOString(),
      },
    };
    this.server = new FakeServer(this.state);
  }

  /** The base URL to give a client (no trailing slash, no /v2). */
  get url(): string {
    return this.server.url;
  }

  /** Every order, legs included, as Alpaca renders it (legs listed on their own). */
  get orders(): AlpacaOrderJson[] {
    return [...this.book.orders.values()].map((order) => renderOrder(this.book, order, false));
  }

  /** The order with this id or client order id, as Alpaca renders it (legs nested). */
  order(ref: string): AlpacaOrderJson | undefined {
    const order = this.book.find(ref);
    return order === undefined ? undefined : renderOrder(this.book, order, true);
  }

  /** Every published FILL activity, as Alpaca renders it. */
  get activities(): Record<string, unknown>[] {
    return this.book.activities.map(renderActivity);
  }

  /** Sets the price `symbol` trades and is marked at. */
  setPrice(symbol: string, price: number): void {
    this.book.prices.set(symbol, price);
  }

  /** Switches between filling marketable orders on arrival and filling only by `fill`. */
  setFillMode(mode: 'immediate' | 'manual'): void {
    this.book.fillMode = mode;
  }

  /** Blocks (or unblocks) trading: orders get 403 and the account shows trading_blocked. */
  setTradingBlocked(blocked: boolean): void {
    this.book.tradingBlocked = blocked;
  }

  /** Sets what GET /v2/clock answers. */
  setClock(clock: FakeClock): void {
    this.state.clock = clock;
  }

  /**
   * Places an order in-process under POST /v2/orders' rules (not checked against the spec, and no
   * request is recorded): a quick way to seed many orders. Throws Alpaca's message when refused.
   */
  place(body: Record<string, unknown>): AlpacaOrderJson {
    const read = readOrderRequest(body);
    if (!read.ok) throw new Error(read.message);
    const placed = this.book.place(read.order);
    if (!placed.ok) throw new Error(placed.message);
    return renderOrder(this.book, placed.order, true);
  }

  /** Fills (part of) a working order by id or client order id; see FillOptions. */
  fill(ref: string, options?: FillOptions): AlpacaOrderJson {
    return renderOrder(this.book, this.book.fill(ref, options), true);
  }

  /** Moves an order to any Alpaca status (expired, rejected, done_for_day, pending_cancel...). */
  setStatus(ref: string, status: AlpacaStatus): AlpacaOrderJson {
    return renderOrder(this.book, this.book.setStatus(ref, status), true);
  }

  /** Publishes FILL activities withheld by `fill(ref, { withholdActivity: true })`. */
  releaseActivities(): number {
    return this.book.releaseActivities();
  }

  /** Queues a fault for the next matching request(s). */
  inject(fault: FakeFault, match?: FaultMatch): void {
    this.state.faults.add(fault, match);
  }

  /** Faults queued and not yet served. */
  get pendingFaults(): number {
    return this.state.faults.pending;
  }

  /** Drops every queued fault and the latency. */
  clearFaults(): void {
    this.state.faults.clear();
    this.state.latencyMs = 0;
  }

  /** Delays every answer by `ms`. */
  setLatency(ms: number): void {
    this.state.latencyMs = ms;
  }

  /** Starts listening (startAlpacaFake does this). */
  listen(): Promise<void> {
    return this.server.listen();
  }

  /** Stops the server, dropping open connections and held answers. */
  close(): Promise<void> {
    return this.server.close();
  }
}
