/**
 * Where Schwab tokens are kept between runs: in a secret (AWS Secrets Manager on AWS) next to the
 * app's key, secret and callback URL, or in a file in the local data directory (mode 0600).
 *
 * The secret's JSON: `{ appKey, appSecret, callbackUrl, tokens?: SchwabTokens, ...anything else }`.
 * Writing tokens back keeps every other key of the secret as it was.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SecretStore, SecretStoreError } from '../../secrets/secret-store.ts';
import * as z from '../../zod.ts';
import { SchwabTokens } from './schwab-tokens.ts';

/** Loads and saves the tokens of one Schwab login. */
export interface SchwabTokenStore {
  /** The stored tokens, or undefined when there are none (or they cannot be read as tokens). */
  load(): Promise<SchwabTokens | undefined>;
  /** Replaces the stored tokens. */
  save(tokens: SchwabTokens): Promise<void>;
}

/** The Schwab secret: the app's credentials, its callback URL and, once someone logged in, the tokens. */
export const SchwabSecret = z.looseObject({
  appKey: z.string().check(z.minLength(1)),
  appSecret: z.string().check(z.minLength(1)),
  callbackUrl: z._default(z.url(), 'https://127.0.0.1'),
  /** Optional: pick this account when the login reaches several. */
  accountNumber: z.optional(z.string().check(z.minLength(1))),
  tokens: z.optional(z.unknown()),
});
/** The Schwab secret. */
export type SchwabSecret = z.infer<typeof SchwabSecret>;

/** Tokens kept in a JSON secret under `tokens`, beside the app key, app secret and callback URL. */
export class SecretSchwabTokenStore implements SchwabTokenStore {
  constructor(
    private readonly secrets: SecretStore,
    private readonly secretId: string,
  ) {}

  // Tokens rotate and another container or a new login may have rewritten them: read past any cache.
  async load(): Promise<SchwabTokens | undefined> {
    const secret = await this.secrets.getJson(this.secretId, { fresh: true });
    const parsed = SchwabTokens.safeParse(secret?.tokens);
    return parsed.success ? parsed.data : undefined;
  }

  async save(tokens: SchwabTokens): Promise<void> {
    const current = (await this.secrets.getJson(this.secretId, { fresh: true })) ?? {};
    await this.secrets.putJson(this.secretId, { ...current, tokens });
  }
}

/** The app credentials and settings held in the Schwab secret; throws when they are missing. */
export async function readSchwabSecret(secrets: SecretStore, secretId: string): Promise<SchwabSecret> {
  const value = await secrets.getJson(secretId);
  if (value === undefined)
    throw new SecretStoreError(`the Schwab secret ${secretId} does not exist or has no value`);
  const parsed = SchwabSecret.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new SecretStoreError(`the Schwab secret ${secretId} lacks or has invalid: ${fields}`);
  }
  return parsed.data;
}

/** The file the local store writes in its data directory. */
export const SCHWAB_TOKENS_FILE = 'schwab-tokens.json';

/** Tokens kept in DATA_DIR/schwab-tokens.json, readable by its owner only. */
export class FileSchwabTokenStore implements SchwabTokenStore {
  readonly path: string;

  constructor(
    private readonly dataDir: string,
    fileName: string = SCHWAB_TOKENS_FILE,
  ) {
    this.path = join(dataDir, fileName);
  }

  async load(): Promise<SchwabTokens | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = SchwabTokens.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }

  /** Writes a new file and renames it over the old one, so a reader never sees half a file. */
  async save(tokens: SchwabTokens): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
