/**
 * Schwab's OAuth endpoints: the authorize URL a person opens to log in, and the token endpoint,
 * which takes HTTP Basic (app key : app secret) and a form body with `grant_type` authorization_code
 * (a login) or refresh_token (a new access token).
 *
 * A 400 or 401 from the token endpoint means the grant or the app was refused (Schwab answers
 * `invalid_grant`, or `unsupported_token_type` wrapping `refresh_token_authentication_error`, for a
 * refresh token it no longer accepts): only a person can fix that, so it is SCHWAB_REAUTHORIZE.
 */
import * as z from '../../zod.ts';
import { BrokerRateLimitedError, BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import { TokenResponse } from './schwab-tokens.ts';

/** Schwab's production host. */
export const SCHWAB_BASE_URL = 'https://api.schwabapi.com';

/** What the OAuth calls need to know about the app. */
export interface SchwabAppCredentials {
  /** Default SCHWAB_BASE_URL. */
  baseUrl?: string | undefined;
  appKey: string;
  appSecret: string;
}

/** The code a person who must log in again is told about. */
export const REAUTHORIZE_CODE = 'SCHWAB_REAUTHORIZE';

/** A grant sent to the token endpoint. */
export type TokenGrant =
  | { grantType: 'authorization_code'; code: string; redirectUri: string }
  | { grantType: 'refresh_token'; refreshToken: string };

const OAuthError = z.looseObject({
  error: z.optional(z.string()),
  error_description: z.optional(z.string()),
  message: z.optional(z.string()),
});

/** The URL a person opens to log in to Schwab and let this app trade. */
export function authorizeUrl(app: SchwabAppCredentials & { callbackUrl: string }): string {
  const url = new URL('/v1/oauth/authorize', app.baseUrl ?? SCHWAB_BASE_URL);
  url.searchParams.set('client_id', app.appKey);
  url.searchParams.set('redirect_uri', app.callbackUrl);
  return url.toString();
}

/** Sends one grant to the token endpoint; throws broker errors only. */
export async function requestTokens(
  app: SchwabAppCredentials,
  grant: TokenGrant,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  const body = new URLSearchParams(
    grant.grantType === 'authorization_code'
      ? { grant_type: grant.grantType, code: grant.code, redirect_uri: grant.redirectUri }
      : { grant_type: grant.grantType, refresh_token: grant.refreshToken },
  );
  const basic = Buffer.from(`${app.appKey}:${app.appSecret}`).toString('base64');
  let response: Response;
  try {
    response = await fetchImpl(new URL('/v1/oauth/token', app.baseUrl ?? SCHWAB_BASE_URL), {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    throw new BrokerUnavailableError('Schwab token endpoint unreachable', false, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) {
    const parsed = TokenResponse.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    throw new BrokerUnavailableError('Schwab token endpoint answered without tokens', false);
  }
  const detail = describeOAuthError(text);
  if (response.status === 400 || response.status === 401) {
    const message =
      grant.grantType === 'refresh_token'
        ? `Schwab refused the refresh token (${response.status} ${detail}): run npm run schwab:login`
        : `Schwab refused the authorization code (${response.status} ${detail}): log in again and paste ` +
          'the address within 30 seconds (a code works once)';
    throw new BrokerRejectedError(REAUTHORIZE_CODE, message);
  }
  if (response.status === 429) {
    throw new BrokerRateLimitedError(`Schwab token endpoint rate limited: ${detail}`);
  }
  throw new BrokerUnavailableError(`Schwab token endpoint failed (${response.status} ${detail})`, false);
}

function describeOAuthError(text: string): string {
  const parsed = OAuthError.safeParse(parseJson(text));
  if (!parsed.success) return 'no details';
  const { error, error_description: description, message } = parsed.data;
  return [error, description ?? message].filter((part) => part !== undefined).join(': ') || 'no details';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
