/**
 * Finishing a Schwab login: the person opened the authorize URL, logged in, and landed on the
 * callback URL with `?code=...` (Schwab's codes end in '@', sent as %40). The code is exchanged
 * for tokens once, within about 30 seconds, and the tokens saved; the refresh token's 7 days start now.
 */
import { requestTokens, type SchwabAppCredentials } from './schwab-oauth.ts';
import type { SchwabTokenStore } from './schwab-token-store.ts';
import { type SchwabTokens, tokensFromLogin } from './schwab-tokens.ts';

/** A login that cannot be completed as given (a person has to try again). */
export class SchwabLoginError extends Error {
  override readonly name: string = 'SchwabLoginError';
}

/** What completing a login needs. */
export interface CompleteLogin {
  /** The whole URL the browser landed on after the login. */
  redirectUrl: string;
  settings: SchwabAppCredentials & { callbackUrl: string };
  store: SchwabTokenStore;
  fetch?: typeof fetch | undefined;
  now?: (() => Date) | undefined;
}

/** The authorization code in the URL the browser landed on, decoded. */
export function codeFromRedirect(redirectUrl: string): string {
  let url: URL;
  try {
    url = new URL(redirectUrl.trim());
  } catch {
    throw new SchwabLoginError('that is not a URL: paste the whole address the browser landed on');
  }
  const refused = url.searchParams.get('error');
  if (refused !== null) throw new SchwabLoginError(`Schwab did not authorize the app: ${refused}`);
  const code = url.searchParams.get('code');
  if (code === null || code === '') throw new SchwabLoginError('the URL has no code parameter');
  return code;
}

/** Exchanges the code in `redirectUrl` for tokens and saves them; the saved tokens. */
export async function completeLogin(input: CompleteLogin): Promise<SchwabTokens> {
  const code = codeFromRedirect(input.redirectUrl);
  const now = input.now ?? (() => new Date());
  const response = await requestTokens(
    input.settings,
    { grantType: 'authorization_code', code, redirectUri: input.settings.callbackUrl },
    input.fetch ?? fetch,
  );
  const tokens = tokensFromLogin(response, now());
  if (tokens === undefined) throw new SchwabLoginError('Schwab answered the login without a refresh token');
  await input.store.save(tokens);
  return tokens;
}
