/**
 * HTTP to Schwab's Trader API (`{baseUrl}/trader/v1`) with a bearer token, translating every failure
 * into a broker error:
 *
 * | Schwab answers | we throw |
 * |---|---|
 * | 401 | nothing yet: refresh the access token once and send again; a second 401 is BrokerRejectedError SCHWAB_UNAUTHORIZED |
 * | 400, 403, 404 (unless the caller expects it), 422, other 4xx | BrokerRejectedError with Schwab's message |
 * | 429 | BrokerRateLimitedError with Retry-After |
 * | 5xx, network failure, timeout, abort | BrokerUnavailableError |
 *
 * `ambiguous` is true when a POST may have reached Schwab (anything but a refused connection), since
 * Schwab may then hold the order. A 401 is never ambiguous: Schwab checks the token first.
 */
import type * as z from '../../zod.ts';
import { BrokerRateLimitedError, BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { SchwabAuth } from './schwab-auth.ts';
import { SCHWAB_BASE_URL } from './schwab-oauth.ts';
import { SchwabErrorBody } from './schwab-schemas.ts';

/** One call to the Trader API. */
export interface SchwabRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Below /trader/v1, e.g. `/accounts/accountNumbers`. */
  path: string;
  query?: Record<string, string> | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Answer a 404 with `{ status: 404 }` instead of a rejection (lookups of one order). */
  notFoundIsAnswer?: boolean | undefined;
}

/** A successful answer (or an expected 404). */
export interface SchwabAnswer {
  status: number;
  body: unknown;
  location: string | undefined;
}

/** HTTP options of the client. */
export interface SchwabClientOptions {
  baseUrl?: string | undefined;
  fetch?: typeof fetch | undefined;
  /** The longest one HTTP call may take (default 10 s). */
  timeoutMs?: number | undefined;
  /** The clock, for Retry-After dates. */
  now?: (() => Date) | undefined;
}

const REJECTION_CODES: Readonly<Record<number, string>> = {
  400: 'SCHWAB_BAD_REQUEST',
  403: 'SCHWAB_FORBIDDEN',
  404: 'SCHWAB_NOT_FOUND',
  422: 'SCHWAB_UNPROCESSABLE',
};

/** Calls Schwab's Trader API for one login. */
export class SchwabClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly auth: SchwabAuth,
    options: SchwabClientOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? SCHWAB_BASE_URL;
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Sends the request, refreshing the token once on a 401; throws broker errors only. */
  async send(request: SchwabRequest): Promise<SchwabAnswer> {
    const token = await this.auth.accessToken(request.signal);
    let response = await this.attempt(request, token);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => {});
      const renewed = await this.auth.renewAfterUnauthorized(token, request.signal);
      response = await this.attempt(request, renewed);
      if (response.status === 401) {
        const detail = await errorDetail(response);
        throw new BrokerRejectedError(
          'SCHWAB_UNAUTHORIZED',
          `Schwab refused a fresh access token: ${detail}`,
        );
      }
    }
    return this.interpret(request, response);
  }

  /** Sends a GET and parses its body with `schema`; undefined on an expected 404. */
  async get<T>(
    path: string,
    schema: z.ZodMiniType<T>,
    options: Pick<SchwabRequest, 'query' | 'signal' | 'notFoundIsAnswer'> = {},
  ): Promise<T | undefined> {
    const answer = await this.send({ method: 'GET', path, ...options });
    if (answer.status === 404) return undefined;
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    throw new BrokerUnavailableError(`unexpected answer from Schwab to GET ${path}`, false, {
      cause: parsed.error,
    });
  }

  private async attempt(request: SchwabRequest, token: string): Promise<Response> {
    if (request.signal?.aborted) {
      throw new BrokerUnavailableError(
        `Schwab ${request.method} ${request.path} aborted before sending`,
        false,
      );
    }
    const url = new URL(`/trader/v1${request.path}`, this.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetch(url, {
        method: request.method,
        headers,
        signal,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
    } catch (error) {
      const reached = request.method === 'POST' && !refusedConnection(error);
      const what = signal.aborted ? (timeout.aborted ? 'timed out' : 'was aborted') : 'failed';
      throw new BrokerUnavailableError(`Schwab ${request.method} ${request.path} ${what}`, reached, {
        cause: error,
      });
    }
  }

  private async interpret(request: SchwabRequest, response: Response): Promise<SchwabAnswer> {
    const { status } = response;
    const call = `${request.method} ${request.path}`;
    const location = response.headers.get('location') ?? undefined;
    if (status >= 200 && status < 300) {
      if (request.method !== 'GET') {
        await response.body?.cancel().catch(() => {});
        return { status, body: undefined, location };
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw new BrokerUnavailableError(`Schwab's answer to ${call} broke off`, false, { cause: error });
      }
      return { status, body: parseJson(text, call), location };
    }
    if (status === 404 && request.notFoundIsAnswer) {
      await response.body?.cancel().catch(() => {});
      return { status, body: undefined, location };
    }
    const detail = await errorDetail(response);
    if (status === 429) {
      const retryAfterMs = retryAfter(response.headers.get('retry-after'), this.now());
      throw new BrokerRateLimitedError(`Schwab rate limited ${call}: ${detail}`, retryAfterMs);
    }
    if (status >= 400 && status < 500) {
      const code = REJECTION_CODES[status] ?? 'SCHWAB_REJECTED';
      throw new BrokerRejectedError(code, `Schwab refused ${call} (${status}): ${detail}`);
    }
    throw new BrokerUnavailableError(
      `Schwab failed ${call} (${status}): ${detail}`,
      request.method === 'POST',
    );
  }
}

/** Schwab's message and errors, short, for an error message. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.slice(0, 300) || 'no details';
  }
  const parsed = SchwabErrorBody.safeParse(json);
  if (!parsed.success) return 'no details';
  const errors = (parsed.data.errors ?? []).map((item) =>
    typeof item === 'string' ? item : JSON.stringify(item),
  );
  return (
    [parsed.data.message, ...errors]
      .filter((part) => part !== undefined)
      .join('; ')
      .slice(0, 500) || 'no details'
  );
}

function parseJson(text: string, call: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BrokerUnavailableError(`Schwab answered ${call} with invalid JSON`, false, { cause: error });
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
function retryAfter(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** True when the connection was refused: nothing reached Schwab. */
function refusedConnection(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && 'code' in cause && cause.code === 'ECONNREFUSED';
}
