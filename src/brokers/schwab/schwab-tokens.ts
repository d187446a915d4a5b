/**
 * Schwab OAuth tokens and the pure decisions about them. The access token lives 30 minutes; the
 * refresh token 7 days from the person's login, a hard limit after which a person must run
 * `npm run schwab:login` again. Schwab's token answer does not state the refresh token's lifetime,
 * so its expiry is computed here from the moment of login.
 *
 * Invariant: refreshing keeps the login's issue and expiry times, even when Schwab hands back a new
 * refresh token string: the 7 days count from the login, not from the last refresh.
 */
import * as z from '../../zod.ts';

/** How long a refresh token lives after a login (Schwab's documented 7 days). */
export const REFRESH_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** An access token this close to expiry is refreshed before use. */
export const ACCESS_TOKEN_MARGIN_MS = 60_000;
/** Fewer hours than this left on the refresh token: warn that a login is due soon. */
export const REFRESH_TOKEN_WARNING_HOURS = 24;

/** The tokens we keep for one Schwab login. */
export const SchwabTokens = z.object({
  accessToken: z.string().check(z.minLength(1)),
  accessTokenExpiresAt: z.iso.datetime({ offset: true }),
  refreshToken: z.string().check(z.minLength(1)),
  refreshTokenIssuedAt: z.iso.datetime({ offset: true }),
  refreshTokenExpiresAt: z.iso.datetime({ offset: true }),
});
/** The tokens we keep for one Schwab login. */
export type SchwabTokens = z.infer<typeof SchwabTokens>;

/** The body of a successful answer from Schwab's token endpoint (RFC 6749 names). */
export const TokenResponse = z.object({
  access_token: z.string().check(z.minLength(1)),
  /** Seconds; Schwab answers 1800. */
  expires_in: z.number().check(z.positive()),
  /** Present on the code grant; on a refresh it may repeat the current one or carry a new one. */
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  token_type: z.optional(z.string()),
  scope: z.optional(z.string()),
  id_token: z.optional(z.string()),
});
/** The body of a successful answer from Schwab's token endpoint. */
export type TokenResponse = z.infer<typeof TokenResponse>;

/** The tokens a login (authorization code grant) gives; the refresh token's 7 days start now. */
export function tokensFromLogin(response: TokenResponse, now: Date): SchwabTokens | undefined {
  if (response.refresh_token === undefined) return undefined;
  return {
    accessToken: response.access_token,
    accessTokenExpiresAt: new Date(now.getTime() + response.expires_in * 1000).toISOString(),
    refreshToken: response.refresh_token,
    refreshTokenIssuedAt: now.toISOString(),
    refreshTokenExpiresAt: new Date(now.getTime() + REFRESH_TOKEN_LIFETIME_MS).toISOString(),
  };
}

/** The tokens after a refresh: a new access token, the refresh token Schwab returned, the login's expiry. */
export function tokensFromRefresh(previous: SchwabTokens, response: TokenResponse, now: Date): SchwabTokens {
  return {
    ...previous,
    accessToken: response.access_token,
    accessTokenExpiresAt: new Date(now.getTime() + response.expires_in * 1000).toISOString(),
    refreshToken: response.refresh_token ?? previous.refreshToken,
  };
}

/** True when the access token is expired or expires within ACCESS_TOKEN_MARGIN_MS. */
export function needsRefresh(tokens: SchwabTokens, now: Date): boolean {
  return Date.parse(tokens.accessTokenExpiresAt) - now.getTime() <= ACCESS_TOKEN_MARGIN_MS;
}

/** Hours left before the refresh token expires (negative once it has). */
export function refreshTokenHoursLeft(tokens: SchwabTokens, now: Date): number {
  return (Date.parse(tokens.refreshTokenExpiresAt) - now.getTime()) / 3_600_000;
}

/** True when the refresh token has expired: only a new login helps. */
export function refreshTokenExpired(tokens: SchwabTokens, now: Date): boolean {
  return refreshTokenHoursLeft(tokens, now) <= 0;
}

/** True when the refresh token still works but has fewer than REFRESH_TOKEN_WARNING_HOURS left. */
export function refreshTokenExpiring(tokens: SchwabTokens, now: Date): boolean {
  const hoursLeft = refreshTokenHoursLeft(tokens, now);
  return hoursLeft > 0 && hoursLeft < REFRESH_TOKEN_WARNING_HOURS;
}
