/**
 * Reading a webhook body the way TradingView sends it: the Content-Type header is not trusted.
 * A body is JSON when it parses as a JSON object; otherwise it is read as `key=value` pairs
 * separated by newlines, commas, semicolons or spaces. Values in JSON keep their types.
 */

/** Fields read from a body, before aliases and validation. */
export type BodyFields = Record<string, unknown>;

/** The outcome of reading a body. `format` says how it was read. */
export type ReadBodyResult =
  | { ok: true; format: 'json' | 'text'; fields: BodyFields }
  | { ok: false; error: string; passphraseHint?: string };

/** Reads a raw webhook body into fields, or says why it cannot. */
export function readBody(raw: string): ReadBodyResult {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text.length === 0) return { ok: false, error: 'body: empty' };
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed)) return { ok: true, format: 'json', fields: parsed };
      return { ok: false, error: 'body: JSON must be an object' };
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'parse error';
      const hint = /"(?:passphrase|secret|key|token)"\s*:\s*"([^"\\]*)"/.exec(text)?.[1];
      return {
        ok: false,
        error: `body: not valid JSON (${detail}); an unquoted placeholder that rendered empty does this`,
        ...(hint === undefined ? {} : { passphraseHint: hint }),
      };
    }
  }
  const fields = readKeyValueText(text);
  if (Object.keys(fields).length === 0) {
    return { ok: false, error: 'body: neither a JSON object nor key=value pairs' };
  }
  return { ok: true, format: 'text', fields };
}

/**
 * `key=value` pairs split on newlines, commas, semicolons and spaces. A value may be quoted to keep
 * separators inside it (`comment="Long Entry"`). Tokens without `=` are ignored.
 */
function readKeyValueText(text: string): BodyFields {
  const fields: BodyFields = {};
  // Blanks after `=` are skipped only when the next `key=` does not follow: an empty value (a
  // placeholder that rendered empty) must not swallow the next pair, and a newline always ends a value.
  const pair = /([A-Za-z_][\w.]*)\s*=(?:[ \t]+(?![A-Za-z_][\w.]*\s*=))?("([^"]*)"|'([^']*)'|[^\s,;]*)/g;
  for (const match of text.matchAll(pair)) {
    const key = match[1];
    if (key === undefined) continue;
    const value = match[3] ?? match[4] ?? match[2] ?? '';
    fields[key.toLowerCase()] = value;
  }
  return fields;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
