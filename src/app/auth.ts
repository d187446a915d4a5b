/**
 * Secret handling at the edge: constant-time comparison, and bodies with every secret removed
 * before they are stored.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time independent of where they differ (and of their lengths). */
export function secretsEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(sha256(given), expectedDigest(expected));
}

/** The expected secret is the same on every request: its digest is kept, not hashed again each time. */
let lastExpected: { secret: string; digest: Buffer } | undefined;

function expectedDigest(secret: string): Buffer {
  if (lastExpected?.secret !== secret) lastExpected = { secret, digest: sha256(secret) };
  return lastExpected.digest;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

const SECRET_KEYS = /^(passphrase|secret|key|token)$/i;
const MAX_STORED_BODY = 4096;

/**
 * The body with every secret-bearing field and every occurrence of `secrets` masked, cut to 4 KB:
 * safe to store and show. The literal masking catches secrets sent in shapes no field rule knows.
 */
export function redactBody(raw: string, secrets: readonly string[] = []): string {
  const masked = secrets.reduce((text, secret) => (secret ? text.replaceAll(secret, '***') : text), raw);
  let redacted: string;
  try {
    const parsed: unknown = JSON.parse(masked);
    redacted = JSON.stringify(parsed, (key, value: unknown) => (SECRET_KEYS.test(key) ? '***' : value));
  } catch {
    redacted = masked
      .replace(/("(?:passphrase|secret|key|token)"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|[^\s",;}\]]+)/gi, '$1"***"')
      .replace(/\b(passphrase|secret|key|token)(\s*=\s*)("[^"]*"|'[^']*'|[^\s,;]*)/gi, '$1$2***');
  }
  return redacted.length > MAX_STORED_BODY ? `${redacted.slice(0, MAX_STORED_BODY)}…` : redacted;
}
