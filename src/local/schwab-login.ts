/**
 * `npm run schwab:login`: logs in to Schwab and stores the tokens in DATA_DIR/schwab-tokens.json.
 * Needed once, then again every 7 days (Schwab's refresh token limit).
 *
 * Reads SCHWAB_APP_KEY, SCHWAB_APP_SECRET, SCHWAB_CALLBACK_URL (default https://127.0.0.1), optional
 * SCHWAB_BASE_URL, and DATA_DIR (default .pinebridge). It writes the local file only; with
 * SCHWAB_SECRET_ID set it says how to put the tokens into that secret.
 */
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { BrokerError } from '../brokers/errors.ts';
import { completeLogin, SchwabLoginError } from '../brokers/schwab/schwab-login.ts';
import { authorizeUrl } from '../brokers/schwab/schwab-oauth.ts';
import { FileSchwabTokenStore } from '../brokers/schwab/schwab-token-store.ts';

const LoginEnv = z.object({
  SCHWAB_APP_KEY: z.string({ error: 'is required: the app key from developer.schwab.com' }).min(1),
  SCHWAB_APP_SECRET: z.string({ error: 'is required: the app secret from developer.schwab.com' }).min(1),
  SCHWAB_CALLBACK_URL: z.url().default('https://127.0.0.1'),
  SCHWAB_BASE_URL: z.url().optional(),
  SCHWAB_SECRET_ID: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('.pinebridge'),
});

const parsed = LoginEnv.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues)
    process.stderr.write(`${issue.path.join('.')}: ${issue.message}\n`);
  process.exit(2);
}
const env = parsed.data;
const settings = {
  baseUrl: env.SCHWAB_BASE_URL,
  appKey: env.SCHWAB_APP_KEY,
  appSecret: env.SCHWAB_APP_SECRET,
  callbackUrl: env.SCHWAB_CALLBACK_URL,
};
const store = new FileSchwabTokenStore(env.DATA_DIR);
const io = createInterface({ input: process.stdin, output: process.stdout });

try {
  process.stdout.write(`1. Open this URL and log in to Schwab:\n\n   ${authorizeUrl(settings)}\n\n`);
  process.stdout.write(
    '2. After approving, the browser lands on a page that does not load. That is expected.\n',
  );
  const redirectUrl = await io.question(
    '3. Paste the whole address from the browser here, within 30 seconds:\n> ',
  );
  const tokens = await completeLogin({ redirectUrl, settings, store });
  process.stdout.write(`\nSaved to ${store.path}. Log in again before ${tokens.refreshTokenExpiresAt}.\n`);
  if (env.SCHWAB_SECRET_ID !== undefined) {
    process.stdout.write(
      `SCHWAB_SECRET_ID is set: this command writes the local file only. Put the file's JSON under ` +
        `"tokens" in the secret ${env.SCHWAB_SECRET_ID}, beside appKey, appSecret and callbackUrl.\n`,
    );
  }
} catch (error) {
  if (!(error instanceof SchwabLoginError || error instanceof BrokerError)) throw error;
  process.stderr.write(`\nLogin failed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  io.close();
}
