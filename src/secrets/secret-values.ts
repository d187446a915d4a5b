/**
 * The app's secret shapes and the one way to read them: load from a SecretStore, parse with zod, and
 * on failure name the secret id and the offending keys, never a value.
 */
import * as z from '../zod.ts';
import { type SecretStore, SecretStoreError } from './secret-store.ts';

/** The app secret: the TradingView webhook passphrase and the bearer token of the API routes. */
export const AppSecret = z.object({
  webhookPassphrase: z.string().check(z.minLength(8)),
  apiToken: z.string().check(z.minLength(16)),
});
/** The app secret, parsed. */
export type AppSecret = z.infer<typeof AppSecret>;

/** Alpaca API credentials: the key id and its secret key. */
export const AlpacaSecret = z.object({
  keyId: z.string().check(z.minLength(1)),
  secretKey: z.string().check(z.minLength(1)),
});
/** Alpaca API credentials, parsed. */
export type AlpacaSecret = z.infer<typeof AlpacaSecret>;

/**
 * Reads `secretId` from `store` and parses it with `schema`. A missing secret, missing keys or invalid
 * keys raise SecretStoreError naming the secret id and the keys (with zod's issue code), never values.
 */
export async function readSecret<T>(
  store: SecretStore,
  secretId: string,
  schema: z.ZodMiniType<T>,
): Promise<T> {
  const raw = await store.getJson(secretId);
  if (raw === undefined) throw new SecretStoreError(`secret "${secretId}" does not exist or has no value`);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const issue of parsed.error.issues) {
    const key = keyName(issue.path);
    if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) missing.push(key);
    else invalid.push(`${key} (${issue.code})`);
  }
  const problems = [
    missing.length > 0 ? `missing keys: ${missing.join(', ')}` : undefined,
    invalid.length > 0 ? `invalid keys: ${invalid.join(', ')}` : undefined,
  ].filter((problem) => problem !== undefined);
  // The ZodError is not kept as the cause: its issues may quote the input.
  throw new SecretStoreError(`secret "${secretId}" is not usable: ${problems.join('; ')}`);
}

function keyName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole secret)';
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = Reflect.get(at, key);
  }
  return at;
}
