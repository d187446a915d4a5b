import { describe, expect, it } from 'vitest';
import { redactBody, secretsEqual } from '../../src/app/auth.ts';

describe('secretsEqual', () => {
  it('accepts the same secret', () => {
    // Prepare
    const expected = 's3cret-pass';

    // Act
    const equal = secretsEqual('s3cret-pass', expected);

    // Assess
    expect(equal).toBe(true);
  });

  it('refuses a secret that differs in one character', () => {
    // Prepare
    const expected = 's3cret-pass';

    // Act
    const equal = secretsEqual('s3cret-pasS', expected);

    // Assess
    expect(equal).toBe(false);
  });

  it('refuses a secret of another length without throwing', () => {
    // Prepare
    const expected = 's3cret-pass';

    // Act
    const results = [secretsEqual('s3cret', expected), secretsEqual('s3cret-pass-and-more', expected)];

    // Assess
    expect(results).toEqual([false, false]);
  });

  it('compares with the expected secret of each call when that secret changes', () => {
    // Prepare
    const before = 's3cret-pass';
    const after = 'rotated-pass';
    secretsEqual(before, before);

    // Act
    const results = [secretsEqual(before, after), secretsEqual(after, after), secretsEqual(before, before)];

    // Assess
    expect(results).toEqual([false, true, true]);
  });

  it('refuses a missing or empty secret', () => {
    // Prepare
    const expected = 's3cret-pass';

    // Act
    const results = [secretsEqual(undefined, expected), secretsEqual('', expected)];

    // Assess
    expect(results).toEqual([false, false]);
  });
});

describe('redactBody JSON', () => {
  it('masks every secret-bearing key and keeps the rest', () => {
    // Prepare
    const raw = JSON.stringify({
      passphrase: 'p1',
      ticker: 'AAPL',
      secret: 's2',
      key: 'k3',
      token: 't4',
      qty: 5,
    });

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(JSON.parse(redacted)).toEqual({
      passphrase: '***',
      ticker: 'AAPL',
      secret: '***',
      key: '***',
      token: '***',
      qty: 5,
    });
  });

  it('masks secrets at any depth, in any letter case, and of any type', () => {
    // Prepare
    const raw = JSON.stringify({
      strategy: { order_action: 'buy', Passphrase: 'deep-secret' },
      legs: [{ TOKEN: 12345 }, { note: 'keep' }],
    });

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(JSON.parse(redacted)).toEqual({
      strategy: { order_action: 'buy', Passphrase: '***' },
      legs: [{ TOKEN: '***' }, { note: 'keep' }],
    });
    expect(redacted).not.toContain('deep-secret');
    expect(redacted).not.toContain('12345');
  });

  it('keeps keys that only contain a secret word', () => {
    // Prepare
    const raw = JSON.stringify({ api_key_hint: 'visible', monkey: 'visible' });

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(JSON.parse(redacted)).toEqual({ api_key_hint: 'visible', monkey: 'visible' });
  });
});

describe('redactBody text and broken JSON', () => {
  it('masks key=value secrets in a text body', () => {
    // Prepare
    const raw = 'passphrase=s3cret ticker=AAPL action=buy\nTOKEN = "two words";key=\'k3\'';

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(redacted).toBe('passphrase=*** ticker=AAPL action=buy\nTOKEN = ***;key=***');
  });

  it('masks string secrets in a body that is not valid JSON', () => {
    // Prepare
    const raw = '{"passphrase": "s3c\\"ret", "ticker": "AAPL", "qty": , "nested": {"Secret":"x"}';

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(redacted).toBe('{"passphrase": "***", "ticker": "AAPL", "qty": , "nested": {"Secret":"***"}');
  });

  it('masks an unquoted number secret in a body that is not valid JSON', () => {
    // Prepare
    const raw = '{"passphrase": 987654, "ticker": "AAPL", "qty": }';

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(redacted).toBe('{"passphrase": "***", "ticker": "AAPL", "qty": }');
  });
});

describe('redactBody known secrets', () => {
  it('masks every occurrence of a known secret wherever it appears', () => {
    // Prepare
    const raw = '{"pass": "s3cret-pass", "comment": "mine is s3cret-pass", "qty": }';

    // Act
    const redacted = redactBody(raw, ['s3cret-pass']);

    // Assess
    expect(redacted).not.toContain('s3cret-pass');
    expect(redacted).toContain('"comment": "mine is ***"');
  });
});

describe('redactBody size', () => {
  it('cuts a body over 4 KB to 4096 characters and marks the cut', () => {
    // Prepare
    const raw = JSON.stringify({ passphrase: 'p', comment: 'x'.repeat(5000) });

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(redacted).toHaveLength(4097);
    expect(redacted.startsWith('{"passphrase":"***","comment":"xxx')).toBe(true);
    expect(redacted.endsWith('x…')).toBe(true);
  });

  it('masks a secret before cutting so a secret past the cut cannot leak partly', () => {
    // Prepare
    const raw = `comment=${'x'.repeat(4080)} passphrase=abcdefghijklmnopqrstuvwxyz`;

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(redacted).not.toContain('abcdef');
    expect(redacted.endsWith('…')).toBe(true);
  });

  it('keeps a body of exactly 4096 characters whole', () => {
    // Prepare
    const raw = `note=${'y'.repeat(4091)}`;

    // Act
    const redacted = redactBody(raw);

    // Assess
    expect(redacted).toBe(raw);
  });
});
