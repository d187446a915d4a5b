/**
 * The HTTP side of the Alpaca adapter: one fetch per call with the key headers, a per-call timeout
 * joined to the caller's AbortSignal, every answer parsed with zod, and every failure translated
 * into the broker errors of ../errors.ts (see ./alpaca-errors.ts for the table).
 */
import type * as z from '../../zod.ts';
import { BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import {
  type AlpacaMethod,
  errorForAnswer,
  errorForNoAnswer,
  isWrite,
  type NoAnswer,
} from './alpaca-errors.ts';

/** Where and as whom to call Alpaca. */
export interface AlpacaSettings {
  /** The API root, e.g. https://paper-api.alpaca.markets (no /v2). */
  baseUrl: string;
  keyId: string;
  secretKey: string;
  /** How long one HTTP call may take before it counts as a timeout (default 10 s). */
  requestTimeoutMs?: number;
}

/** Query parameters; undefined ones are left out. */
export type AlpacaQuery = Record<string, string | number | boolean | undefined>;

/** One call to Alpaca. */
export interface AlpacaCall<T> {
  method: AlpacaMethod;
  /** The path below the base URL, e.g. /v2/orders. */
  path: string;
  query?: AlpacaQuery;
  body?: unknown;
  /** Parses the 2xx answer. */
  schema: z.ZodMiniType<T>;
  signal?: AbortSignal | undefined;
}

/** The default per-call timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Calls Alpaca's Trading API. */
export class AlpacaClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly settings: AlpacaSettings,
    private readonly fetchImpl: typeof fetch,
    private readonly now: () => Date,
  ) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Calls and parses the answer; any failure is a broker error. */
  async call<T>(call: AlpacaCall<T>): Promise<T> {
    const response = await this.exchange(call);
    return this.parse(call, response);
  }

  /** Like `call`, but a 404 answers undefined: the thing looked up does not exist. */
  async find<T>(call: AlpacaCall<T>): Promise<T | undefined> {
    try {
      return await this.call(call);
    } catch (error) {
      if (error instanceof BrokerRejectedError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Calls and ignores the answer's body (DELETE answers 204 No Content). */
  async send(call: Omit<AlpacaCall<unknown>, 'schema'>): Promise<void> {
    await this.exchange(call);
  }

  private async exchange(
    call: Omit<AlpacaCall<unknown>, 'schema'>,
  ): Promise<{ status: number; text: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      'APCA-API-KEY-ID': this.settings.keyId,
      'APCA-API-SECRET-KEY': this.settings.secretKey,
      Accept: 'application/json',
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    let status: number;
    let text: string;
    let responseHeaders: Headers;
    try {
      const response = await this.fetchImpl(this.url(call.path, call.query), {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
      });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (error) {
      throw errorForNoAnswer(call.method, call.path, this.noAnswer(error, timeout, call.signal));
    }
    if (status >= 200 && status < 300) return { status, text };
    const answer = { method: call.method, path: call.path, status, body: text, headers: responseHeaders };
    throw errorForAnswer({ ...answer, now: this.now() });
  }

  private noAnswer(error: unknown, timeout: AbortSignal, caller: AbortSignal | undefined): NoAnswer {
    if (caller?.aborted) return { kind: 'aborted' };
    if (timeout.aborted) return { kind: 'timeout', ms: this.timeoutMs };
    return { kind: 'network', error };
  }

  private parse<T>(call: AlpacaCall<T>, response: { status: number; text: string }): T {
    let json: unknown;
    try {
      json = response.text === '' ? undefined : JSON.parse(response.text);
    } catch (error) {
      throw this.unexpected(call, 'a body that is not JSON', error);
    }
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) throw this.unexpected(call, 'an unexpected body', parsed.error);
    return parsed.data;
  }

  /** A 2xx we cannot read: for a write the change may have happened, so it is ambiguous. */
  private unexpected(
    call: Omit<AlpacaCall<unknown>, 'schema'>,
    what: string,
    cause: unknown,
  ): BrokerUnavailableError {
    const message = `alpaca answered ${call.method} ${call.path} with ${what}`;
    return new BrokerUnavailableError(message, isWrite(call.method), { cause });
  }

  private url(path: string, query: AlpacaQuery | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }
}
