/**
 * A valid Schwab access token on demand. The access token is refreshed when it is within a minute of
 * expiry, or when Schwab refused it (401). Refreshes are single-flight: concurrent callers share
 * one refresh. Refreshed tokens are saved back to the token store, so other processes and the next
 * start see them; before refreshing, the store is read again in case another process already did.
 *
 * When the refresh token has less than a day left, `onRefreshTokenExpiring(hoursLeft)` is called and
 * a warning logged (at most once an hour). When it has expired, or Schwab refuses it, calls fail
 * with BrokerRejectedError SCHWAB_REAUTHORIZE: a person must run `npm run schwab:login`.
 */
import { BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import { REAUTHORIZE_CODE, requestTokens, type SchwabAppCredentials } from './schwab-oauth.ts';
import type { SchwabTokenStore } from './schwab-token-store.ts';
import {
  needsRefresh,
  refreshTokenExpired,
  refreshTokenExpiring,
  refreshTokenHoursLeft,
  type SchwabTokens,
  tokensFromRefresh,
} from './schwab-tokens.ts';

/** The logging the Schwab adapter does (the app's Logger fits). */
export interface SchwabLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Options of SchwabAuth. */
export interface SchwabAuthOptions {
  fetch?: typeof fetch | undefined;
  now?: (() => Date) | undefined;
  log?: SchwabLogger | undefined;
  /** Told the hours left when the refresh token has less than a day to live. */
  onRefreshTokenExpiring?: ((hoursLeft: number) => void | Promise<void>) | undefined;
  /** The longest a refresh call may take (default 10 s). */
  timeoutMs?: number | undefined;
}

const WARN_EVERY_MS = 60 * 60 * 1000;
const SILENT: SchwabLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Hands out valid access tokens for one Schwab login. */
export class SchwabAuth {
  private tokens: SchwabTokens | undefined;
  private loading: Promise<SchwabTokens> | undefined;
  private refreshing: Promise<SchwabTokens> | undefined;
  private lastWarnedAt: number | undefined;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;
  private readonly log: SchwabLogger;

  constructor(
    private readonly app: SchwabAppCredentials,
    private readonly store: SchwabTokenStore,
    private readonly options: SchwabAuthOptions = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? SILENT;
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    let tokens = this.tokens ?? (await untilAborted(this.load(), signal));
    if (needsRefresh(tokens, this.now()))
      tokens = await untilAborted(this.refresh(tokens.accessToken), signal);
    this.warnIfExpiring(tokens);
    return tokens.accessToken;
  }

  /** A new access token after Schwab refused `refused`; shared with whoever refreshed meanwhile. */
  async renewAfterUnauthorized(refused: string, signal?: AbortSignal): Promise<string> {
    return (await untilAborted(this.refresh(refused), signal)).accessToken;
  }

  private load(): Promise<SchwabTokens> {
    this.loading ??= this.readStore()
      .then((stored) => {
        if (stored === undefined) throw reauthorize('no Schwab tokens are stored');
        this.tokens = stored;
        return stored;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Replaces `stale` unless a newer token is already at hand; one refresh at a time. */
  private refresh(stale: string): Promise<SchwabTokens> {
    const current = this.tokens;
    if (current && current.accessToken !== stale && !needsRefresh(current, this.now())) {
      return Promise.resolve(current);
    }
    this.refreshing ??= this.refreshFrom(stale).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshFrom(stale: string): Promise<SchwabTokens> {
    const stored = await this.readStore();
    const now = this.now();
    if (stored && stored.accessToken !== stale && !needsRefresh(stored, now)) {
      this.tokens = stored;
      return stored;
    }
    const base = newest(stored, this.tokens);
    if (base === undefined) throw reauthorize('no Schwab tokens are stored');
    if (refreshTokenExpired(base, now)) {
      throw reauthorize(`the Schwab refresh token expired at ${base.refreshTokenExpiresAt}`);
    }
    const response = await requestTokens(
      this.app,
      { grantType: 'refresh_token', refreshToken: base.refreshToken },
      this.fetch,
      AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    );
    const next = tokensFromRefresh(base, response, this.now());
    this.tokens = next;
    try {
      await this.store.save(next);
    } catch (error) {
      // The new tokens work in this process; the next refresh tries to save again.
      this.log.error('could not save refreshed Schwab tokens', { error: describe(error) });
    }
    this.log.info('Schwab access token refreshed', { accessTokenExpiresAt: next.accessTokenExpiresAt });
    return next;
  }

  private async readStore(): Promise<SchwabTokens | undefined> {
    try {
      return await this.store.load();
    } catch (error) {
      throw new BrokerUnavailableError('could not read the stored Schwab tokens', false, { cause: error });
    }
  }

  private warnIfExpiring(tokens: SchwabTokens): void {
    const now = this.now();
    if (!refreshTokenExpiring(tokens, now)) return;
    if (this.lastWarnedAt !== undefined && now.getTime() - this.lastWarnedAt < WARN_EVERY_MS) return;
    this.lastWarnedAt = now.getTime();
    const hoursLeft = Math.round(refreshTokenHoursLeft(tokens, now) * 10) / 10;
    this.log.warn('Schwab refresh token expires soon: run npm run schwab:login', {
      hoursLeft,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    });
    try {
      Promise.resolve(this.options.onRefreshTokenExpiring?.(hoursLeft)).catch((error: unknown) => {
        this.log.error('onRefreshTokenExpiring failed', { error: describe(error) });
      });
    } catch (error) {
      this.log.error('onRefreshTokenExpiring failed', { error: describe(error) });
    }
  }
}

function reauthorize(why: string): BrokerRejectedError {
  return new BrokerRejectedError(REAUTHORIZE_CODE, `${why}: run npm run schwab:login`);
}

/** Whichever token set was refreshed last (its access token expires latest). */
function newest(a: SchwabTokens | undefined, b: SchwabTokens | undefined): SchwabTokens | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b.accessTokenExpiresAt) > Date.parse(a.accessTokenExpiresAt) ? b : a;
}

/** Waits for `work`, or fails as soon as `signal` aborts (the shared work itself goes on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function aborted(): BrokerUnavailableError {
  return new BrokerUnavailableError('Schwab call aborted while waiting for an access token', false);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
