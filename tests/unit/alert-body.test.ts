import { describe, expect, it } from 'vitest';
import { type BodyFields, isRecord, readBody } from '../../src/domain/alert-body.ts';

/** Reads a body that must be accepted and returns how it was read. */
function accepted(raw: string): { format: 'json' | 'text'; fields: BodyFields } {
  const result = readBody(raw);
  if (!result.ok) return expect.unreachable(`readBody refused the body: ${result.error}`);
  return { format: result.format, fields: result.fields };
}

/** Reads a body that must be refused and returns the refusal. */
function refused(raw: string): { error: string; passphraseHint?: string } {
  const result = readBody(raw);
  if (result.ok) return expect.unreachable(`readBody accepted the body as ${result.format}`);
  return result;
}

describe('readBody JSON', () => {
  it('reads a JSON object as fields, keeping the value types', () => {
    // Prepare
    const raw = '{"passphrase":"s3cret-pass","symbol":"AAPL","side":"BUY","qty":10,"paper":true,"note":null}';

    // Act
    const { format, fields } = accepted(raw);

    // Assess
    expect(format).toBe('json');
    expect(fields).toEqual({
      passphrase: 's3cret-pass',
      symbol: 'AAPL',
      side: 'BUY',
      qty: 10,
      paper: true,
      note: null,
    });
  });

  it('keeps nested objects such as strategy and bar as they are', () => {
    // Prepare
    const raw = JSON.stringify({
      ticker: 'AAPL',
      bar: { time: '2026-11-20T14:30:00Z', close: 189.5 },
      strategy: { order_action: 'buy', order_contracts: 10 },
    });

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields.bar).toEqual({ time: '2026-11-20T14:30:00Z', close: 189.5 });
    expect(fields.strategy).toEqual({ order_action: 'buy', order_contracts: 10 });
  });

  it('keeps the key case of a JSON body', () => {
    // Prepare
    const raw = '{"Symbol":"AAPL","SIDE":"buy"}';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ Symbol: 'AAPL', SIDE: 'buy' });
  });

  it('tolerates a byte-order mark and surrounding whitespace', () => {
    // Prepare
    const raw = '\uFEFF \r\n\t{"symbol":"AAPL","side":"buy"}\n\n  ';

    // Act
    const { format, fields } = accepted(raw);

    // Assess
    expect(format).toBe('json');
    expect(fields).toEqual({ symbol: 'AAPL', side: 'buy' });
  });

  it('reads a JSON object whatever the header would have said, as TradingView sends text/plain too', () => {
    // Prepare
    const raw = '  {"ticker":"MSFT","action":"sell","quantity":"3"}';

    // Act
    const { format, fields } = accepted(raw);

    // Assess
    expect(format).toBe('json');
    expect(fields.quantity).toBe('3');
  });

  it('refuses a JSON array body', () => {
    // Prepare
    const raw = '[{"symbol":"AAPL","side":"buy"}]';

    // Act
    const result = refused(raw);

    // Assess
    expect(result).toEqual({ ok: false, error: 'body: JSON must be an object' });
  });

  it('refuses an empty JSON array body', () => {
    // Prepare
    const raw = '[]';

    // Act
    const result = refused(raw);

    // Assess
    expect(result.error).toBe('body: JSON must be an object');
  });

  it('refuses JSON broken by an empty unquoted placeholder, with a passphrase hint', () => {
    // Prepare
    const raw = '{"passphrase":"s3cret-pass","symbol":"AAPL","side":"buy","qty": ,}';

    // Act
    const result = refused(raw);

    // Assess
    expect(result.error).toMatch(/^body: not valid JSON \(/);
    expect(result.error).toContain('an unquoted placeholder that rendered empty does this');
    expect(result.passphraseHint).toBe('s3cret-pass');
  });

  it.each(['secret', 'key', 'token'])('takes the passphrase hint from "%s" in invalid JSON', (alias) => {
    // Prepare
    const raw = `{"symbol":"AAPL", "${alias}" : "hint-value", "price": }`;

    // Act
    const result = refused(raw);

    // Assess
    expect(result.passphraseHint).toBe('hint-value');
  });

  it('gives no passphrase hint when invalid JSON holds no passphrase', () => {
    // Prepare
    const raw = '{"symbol":"AAPL","qty": }';

    // Act
    const result = refused(raw);

    // Assess
    expect(result.error).toMatch(/^body: not valid JSON/);
    expect(result).not.toHaveProperty('passphraseHint');
  });

  it('refuses truncated JSON', () => {
    // Prepare
    const raw = '{"symbol":"AAPL","side":"buy"';

    // Act
    const result = refused(raw);

    // Assess
    expect(result.error).toMatch(/^body: not valid JSON/);
  });
});

describe('readBody empty and unreadable bodies', () => {
  it.each([
    ['an empty string', ''],
    ['only whitespace', ' \n\t\r\n '],
    ['only a byte-order mark', '\uFEFF'],
    ['a byte-order mark and whitespace', '\uFEFF  \n'],
  ])('refuses %s as an empty body', (_kind, raw) => {
    // Prepare, Act
    const result = refused(raw);

    // Assess
    expect(result).toEqual({ ok: false, error: 'body: empty' });
  });

  it.each([
    ['a bare word', 'buy'],
    ['a JSON number', '42'],
    ['a JSON string', '"buy AAPL"'],
    ['JSON null', 'null'],
    ['a sentence', 'Buy 10 AAPL now'],
  ])('refuses %s as neither JSON nor key=value pairs', (_kind, raw) => {
    // Prepare, Act
    const result = refused(raw);

    // Assess
    expect(result.error).toBe('body: neither a JSON object nor key=value pairs');
  });
});

describe('readBody key=value text', () => {
  it('reads pairs separated by spaces', () => {
    // Prepare
    const raw = 'passphrase=s3cret-pass symbol=MSFT action=sell quantity=3';

    // Act
    const { format, fields } = accepted(raw);

    // Assess
    expect(format).toBe('text');
    expect(fields).toEqual({ passphrase: 's3cret-pass', symbol: 'MSFT', action: 'sell', quantity: '3' });
  });

  it('reads pairs one per line, with LF or CRLF line ends', () => {
    // Prepare
    const raw = 'passphrase=s3cret-pass\r\nsymbol=MSFT\naction=sell\r\nquantity=3\r\n';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ passphrase: 's3cret-pass', symbol: 'MSFT', action: 'sell', quantity: '3' });
  });

  it('reads pairs separated by commas', () => {
    // Prepare
    const raw = 'symbol=MSFT,action=sell,quantity=3';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', action: 'sell', quantity: '3' });
  });

  it('reads pairs separated by semicolons', () => {
    // Prepare
    const raw = 'symbol=MSFT;action=sell;quantity=3;';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', action: 'sell', quantity: '3' });
  });

  it('reads pairs with mixed separators', () => {
    // Prepare
    const raw = 'symbol=MSFT, action=sell;\nquantity=3 ;  price=412.1';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', action: 'sell', quantity: '3', price: '412.1' });
  });

  it('keeps every value as a string', () => {
    // Prepare
    const raw = 'quantity=3 price=412.10 paper=true';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ quantity: '3', price: '412.10', paper: 'true' });
  });

  it('lowercases keys', () => {
    // Prepare
    const raw = 'Symbol=MSFT ACTION=Sell';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', action: 'Sell' });
  });

  it('keeps separators inside a double-quoted value', () => {
    // Prepare
    const raw = 'symbol=MSFT comment="Long Entry, first; leg" action=buy';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', comment: 'Long Entry, first; leg', action: 'buy' });
  });

  it('keeps separators inside a single-quoted value', () => {
    // Prepare
    const raw = "symbol=MSFT,comment='Exit all',action=exit";

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', comment: 'Exit all', action: 'exit' });
  });

  it('tolerates blanks around the equals sign', () => {
    // Prepare
    const raw = 'symbol = MSFT\naction =sell\nquantity= 3';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', action: 'sell', quantity: '3' });
  });

  it('tolerates a byte-order mark and surrounding whitespace', () => {
    // Prepare
    const raw = '\uFEFF\n  symbol=MSFT action=sell  \n';

    // Act
    const { format, fields } = accepted(raw);

    // Assess
    expect(format).toBe('text');
    expect(fields).toEqual({ symbol: 'MSFT', action: 'sell' });
  });

  it('reads an empty value at the end of a line as empty without taking the next line', () => {
    // Prepare
    const raw = 'symbol=MSFT\nprice=\naction=sell';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', price: '', action: 'sell' });
  });

  it('reads an empty value followed by a space as empty without taking the next pair', () => {
    // Prepare
    const raw = 'symbol=MSFT action=buy comment= tif=gtc';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', action: 'buy', comment: '', tif: 'gtc' });
  });

  it('reads an empty value before a comma as empty', () => {
    // Prepare
    const raw = 'symbol=MSFT,price=,action=sell';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'MSFT', price: '', action: 'sell' });
  });

  it('keeps an equals sign inside a value', () => {
    // Prepare
    const raw = 'passphrase=abc=def== symbol=MSFT';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ passphrase: 'abc=def==', symbol: 'MSFT' });
  });

  it('ignores tokens without an equals sign', () => {
    // Prepare
    const raw = 'LicenseID,buy,EURUSD,risk=1,sl=10,tp=20';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ risk: '1', sl: '10', tp: '20' });
  });

  it('accepts dotted and underscored keys', () => {
    // Prepare
    const raw = 'order.action=buy time_in_force=gtc';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ 'order.action': 'buy', time_in_force: 'gtc' });
  });

  it('lets the last of two equal keys win', () => {
    // Prepare
    const raw = 'symbol=MSFT symbol=AAPL';

    // Act
    const { fields } = accepted(raw);

    // Assess
    expect(fields).toEqual({ symbol: 'AAPL' });
  });
});

describe('isRecord', () => {
  it('is true for a plain object', () => {
    // Prepare
    const value: unknown = { a: 1 };

    // Act
    const result = isRecord(value);

    // Assess
    expect(result).toBe(true);
  });

  it.each([
    ['null', null],
    ['an array', [1]],
    ['a string', 'x'],
    ['a number', 1],
    ['undefined', undefined],
  ])('is false for %s', (_kind, value) => {
    // Prepare, Act
    const result = isRecord(value);

    // Assess
    expect(result).toBe(false);
  });
});
