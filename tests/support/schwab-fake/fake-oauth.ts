/**
 * The fake's OAuth: the token endpoint's two grants and the bearer check of the Trader API.
 *
 * - HTTP Basic with the app key and secret, else 401 invalid_client.
 * - authorization_code: a code from `issueCode()`, once, with the registered redirect_uri.
 * - refresh_token: a current refresh token whose login is less than 7 days old. Every refresh
 *   rotates it (the old one stops working) and the new one keeps the login's expiry.
 * - An unknown, used, rotated or expired code or refresh token: 400 invalid_grant.
 * - Access tokens live 30 minutes by the fake's clock; `revokeAccessTokens()` ends them at once.
 */
import { randomBytes } from 'node:crypto';

/** What the token endpoint answers. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

const ACCESS_TOKEN_SECONDS = 1800;
const REFRESH_TOKEN_MS = 7 * 24 * 60 * 60 * 1000;

/** The fake's token state. */
export class FakeOAuth {
  /** Every grant the token endpoint was asked for, in order. */
  readonly grants: string[] = [];
  private readonly codes = new Set<string>();
  private readonly refreshTokens = new Map<string, { loginExpiresAt: number }>();
  private readonly accessTokens = new Map<string, number>();

  constructor(
    private readonly app: { appKey: string; appSecret: string; callbackUrl: string },
    private readonly now: () => Date,
  ) {}

  /** A new authorization code, as Schwab puts it in the redirect (it ends in '@'). */
  issueCode(): string {
    const code = `C0.${randomBytes(12).toString('base64url')}@`;
    this.codes.add(code);
    return code;
  }

  /** Every access token issued so far stops working (Schwab answers 401). */
  revokeAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
  }

  /** True when `authorization` carries a live bearer token. */
  authorized(authorization: string | undefined): boolean {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    const expiresAt = token === undefined ? undefined : this.accessTokens.get(token);
    return expiresAt !== undefined && expiresAt > this.now().getTime();
  }

  /** Answers POST /v1/oauth/token. */
  token(authorization: string | undefined, form: URLSearchParams): TokenAnswer {
    const expected = `Basic ${Buffer.from(`${this.app.appKey}:${this.app.appSecret}`).toString('base64')}`;
    if (authorization !== expected) return { status: 401, body: { error: 'invalid_client' } };
    const grant = form.get('grant_type') ?? '';
    this.grants.push(grant);
    if (grant === 'authorization_code') return this.codeGrant(form);
    if (grant === 'refresh_token') return this.refreshGrant(form);
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  private codeGrant(form: URLSearchParams): TokenAnswer {
    const code = form.get('code') ?? '';
    if (!this.codes.delete(code)) return invalidGrant('unknown or used authorization code');
    if (form.get('redirect_uri') !== this.app.callbackUrl) return invalidGrant('redirect_uri does not match');
    return this.issue(this.now().getTime() + REFRESH_TOKEN_MS);
  }

  private refreshGrant(form: URLSearchParams): TokenAnswer {
    const presented = form.get('refresh_token') ?? '';
    const known = this.refreshTokens.get(presented);
    if (known === undefined) return invalidGrant('unknown or rotated refresh token');
    if (known.loginExpiresAt <= this.now().getTime()) return invalidGrant('refresh token expired');
    this.refreshTokens.delete(presented);
    return this.issue(known.loginExpiresAt);
  }

  private issue(loginExpiresAt: number): TokenAnswer {
    const accessToken = `at-${randomBytes(16).toString('hex')}`;
    const refreshToken = `rt-${randomBytes(16).toString('hex')}`;
    this.accessTokens.set(accessToken, this.now().getTime() + ACCESS_TOKEN_SECONDS * 1000);
    this.refreshTokens.set(refreshToken, { loginExpiresAt });
    return {
      status: 200,
      body: {
        expires_in: ACCESS_TOKEN_SECONDS,
        token_type: 'Bearer',
        scope: 'api',
        refresh_token: refreshToken,
        access_token: accessToken,
        id_token: `id-${randomBytes(8).toString('hex')}`,
      },
    };
  }
}

function invalidGrant(description: string): TokenAnswer {
  return { status: 400, body: { error: 'invalid_grant', error_description: description } };
}
