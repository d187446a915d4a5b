/**
 * Local secrets: the webhook passphrase and API token come from the environment when set; otherwise
 * they are generated once and kept in DATA_DIR/secrets.json (mode 0600) so they survive restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../zod.ts';

/** The secrets the local server uses. */
export interface LocalSecrets {
  passphrase: string;
  apiToken: string;
  /** Where each one came from, for the start-up banner. */
  source: { passphrase: 'env' | 'file' | 'generated'; apiToken: 'env' | 'file' | 'generated' };
}

const SecretsFile = z.object({
  passphrase: z.string().check(z.minLength(8)),
  apiToken: z.string().check(z.minLength(16)),
});

/** Reads or creates the local secrets in `dataDir`; values given in config win. */
export function loadLocalSecrets(
  dataDir: string,
  given: { passphrase?: string; apiToken?: string },
): LocalSecrets {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'secrets.json');
  let stored: z.infer<typeof SecretsFile> | undefined;
  try {
    stored = SecretsFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    stored = undefined;
  }
  const generated = stored === undefined;
  const file = stored ?? { passphrase: token(18), apiToken: token(24) };
  if (generated) writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  const from = generated ? 'generated' : 'file';
  return {
    passphrase: given.passphrase ?? file.passphrase,
    apiToken: given.apiToken ?? file.apiToken,
    source: { passphrase: given.passphrase ? 'env' : from, apiToken: given.apiToken ? 'env' : from },
  };
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
