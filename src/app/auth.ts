/**
 * Secret handling at the edge: constant-time comparison, and bodies with every secret removed
 * before they are stored.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time independent of where they differ (and of their lengths). */
export function secretsEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
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
