/**
 * `npm run schwab:login`: logs in to Schwab and stores the tokens. Needed once, then again every 7
 * days (Schwab's refresh token limit).
 *
 * Reads SCHWAB_APP_KEY, SCHWAB_APP_SECRET, SCHWAB_CALLBACK_URL (default https://127.0.0.1), optional
 * SCHWAB_BASE_URL, and DATA_DIR (default .pinebridge). The tokens go to DATA_DIR/schwab-tokens.json
 * (SCHWAB_TOKENS_FILE names another file, e.g. schwab-tokens-<account>.json for an extra account), or,
 * with SCHWAB_SECRET_ID set, into that Secrets Manager secret (AWS credentials and AWS_REGION from
 * the environment, as the AWS CLI reads them), beside the app credentials already there.
 */
import { createInterface } from 'node:readline/promises';
import { BrokerError } from '../brokers/errors.ts';
import { completeLogin, SchwabLoginError } from '../brokers/schwab/schwab-login.ts';
import { authorizeUrl } from '../brokers/schwab/schwab-oauth.ts';
import {
  FileSchwabTokenStore,
  SCHWAB_TOKENS_FILE,
  SecretSchwabTokenStore,
} from '../brokers/schwab/schwab-token-store.ts';
import { SecretStoreError } from '../secrets/secret-store.ts';
import { createSecretsManagerStore } from '../secrets/secrets-manager-store.ts';
import * as z from '../zod.ts';

const LoginEnv = z.object({
  SCHWAB_APP_KEY: z
    .string({ error: 'is required: the app key from developer.schwab.com' })
    .check(z.minLength(1)),
  SCHWAB_APP_SECRET: z
    .string({ error: 'is required: the app secret from developer.schwab.com' })
    .check(z.minLength(1)),
  SCHWAB_CALLBACK_URL: z._default(z.url(), 'https://127.0.0.1'),
  SCHWAB_BASE_URL: z.optional(z.url()),
  SCHWAB_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  SCHWAB_TOKENS_FILE: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9_.-]+\.json$/, 'must be a file name ending in .json')),
    SCHWAB_TOKENS_FILE,
  ),
  DATA_DIR: z._default(z.string().check(z.minLength(1)), '.pinebridge'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  SECRETS_MANAGER_ENDPOINT: z.optional(z.url()),
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
const file = new FileSchwabTokenStore(env.DATA_DIR, env.SCHWAB_TOKENS_FILE);
const secretId = env.SCHWAB_SECRET_ID;
const store =
  secretId === undefined
    ? file
    : new SecretSchwabTokenStore(
        createSecretsManagerStore({ region: env.AWS_REGION, endpoint: env.SECRETS_MANAGER_ENDPOINT }),
        secretId,
      );
const where = secretId === undefined ? file.path : `the secret ${secretId}`;
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
  process.stdout.write(`\nSaved to ${where}. Log in again before ${tokens.refreshTokenExpiresAt}.\n`);
} catch (error) {
  if (
    !(error instanceof SchwabLoginError || error instanceof BrokerError || error instanceof SecretStoreError)
  ) {
    throw error;
  }
  process.stderr.write(`\nLogin failed: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  io.close();
}
