import { describe, expect, it } from 'vitest';
import { type Alert, type FieldError, findPassphrase, parseAlert } from '../../src/domain/alert.ts';
import { type BodyFields, readBody } from '../../src/domain/alert-body.ts';

/** Validates fields that must be accepted and returns the alert. */
function accepted(fields: BodyFields): Alert {
  const result = parseAlert(fields);
  if (!result.ok) return expect.unreachable(`parseAlert refused: ${JSON.stringify(result.errors)}`);
  return result.alert;
}

/** Validates fields that must be refused and returns the field errors. */
function refused(fields: BodyFields): FieldError[] {
  const result = parseAlert(fields);
  if (result.ok) return expect.unreachable(`parseAlert accepted: ${JSON.stringify(result.alert)}`);
  return result.errors;
}

/** Reads a raw body the way the webhook does; the body must be readable. */
function bodyFields(raw: string): BodyFields {
  const result = readBody(raw);
  if (!result.ok) return expect.unreachable(`readBody refused: ${result.error}`);
  return result.fields;
}

describe('parseAlert message shapes', () => {
  it('reads the flat strategy template with numbers sent as strings', () => {
    // Prepare
    const fields = bodyFields(
      JSON.stringify({
        passphrase: 's3cret-pass',
        ticker: 'AAPL',
        action: 'buy',
        sentiment: 'long',
        quantity: '10',
        price: '189.52',
        time: '2026-11-20T14:31:05Z',
        interval: '5',
      }),
    );

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert).toEqual({
      passphrase: 's3cret-pass',
      symbol: 'AAPL',
      action: 'buy',
      opensShort: false,
      marketPosition: 'long',
      quantity: 10,
      price: 189.52,
      time: '2026-11-20T14:31:05.000Z',
      type: 'market',
      timeInForce: 'day',
    });
  });

  it('reads the nested strategy and bar template', () => {
    // Prepare
    const fields = bodyFields(
      JSON.stringify({
        passphrase: 's3cret-pass',
        time: '2026-11-20T14:31:05Z',
        exchange: 'NASDAQ',
        ticker: 'AAPL',
        bar: {
          time: '2026-11-20T14:30:00Z',
          open: 189.1,
          high: 189.9,
          low: 188.8,
          close: 189.5,
          volume: 12000,
        },
        strategy: {
          position_size: 10,
          order_action: 'buy',
          order_contracts: 10,
          order_price: 189.5,
          order_id: 'Long Entry',
          market_position: 'long',
          market_position_size: 10,
          prev_market_position: 'flat',
          prev_market_position_size: 0,
        },
      }),
    );

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert).toEqual({
      passphrase: 's3cret-pass',
      symbol: 'AAPL',
      exchange: 'NASDAQ',
      action: 'buy',
      opensShort: false,
      quantity: 10,
      price: 189.5,
      time: '2026-11-20T14:31:05.000Z',
      marketPosition: 'long',
      positionSize: 10,
      prevMarketPosition: 'flat',
      orderName: 'Long Entry',
      type: 'market',
      timeInForce: 'day',
    });
  });

  it('takes the price from strategy.order_price when there is no bar', () => {
    // Prepare
    const fields: BodyFields = {
      ticker: 'AAPL',
      strategy: { order_action: 'sell', order_contracts: '4', order_price: '190.25' },
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.action).toBe('sell');
    expect(alert.quantity).toBe(4);
    expect(alert.price).toBe(190.25);
  });

  it('takes the strategy name from strategy.name in the nested template', () => {
    // Prepare
    const fields: BodyFields = { ticker: 'AAPL', strategy: { name: 'Breakout', order_action: 'buy' } };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.strategy).toBe('Breakout');
  });

  it('reads a strategy name sent as a plain string', () => {
    // Prepare
    const fields: BodyFields = { ticker: 'AAPL', action: 'buy', strategy: 'Breakout' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.strategy).toBe('Breakout');
  });

  it('lets top-level fields win over the same fields inside strategy', () => {
    // Prepare
    const fields: BodyFields = {
      ticker: 'AAPL',
      action: 'sell',
      quantity: 2,
      strategy: { action: 'buy', quantity: 9, order_action: 'buy' },
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.action).toBe('sell');
    expect(alert.quantity).toBe(2);
  });

  it('matches keys inside strategy whatever their case', () => {
    // Prepare
    const fields: BodyFields = { Ticker: 'AAPL', Strategy: { Order_Action: 'BUY', ORDER_CONTRACTS: '3' } };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.action).toBe('buy');
    expect(alert.quantity).toBe(3);
  });

  it('reads the bar close as the price when nothing else gives one', () => {
    // Prepare
    const fields: BodyFields = { ticker: 'AAPL', action: 'buy', bar: { close: '188.75' } };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.price).toBe(188.75);
  });

  it('reads the minimal symbol, side and qty template', () => {
    // Prepare
    const fields = bodyFields('{"passphrase":"s3cret-pass","symbol":"AAPL","side":"BUY","qty":10}');

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert).toEqual({
      passphrase: 's3cret-pass',
      symbol: 'AAPL',
      action: 'buy',
      opensShort: false,
      quantity: 10,
      type: 'market',
      timeInForce: 'day',
    });
  });

  it.each([
    ['spaces', 'passphrase=s3cret-pass symbol=MSFT action=sell quantity=3'],
    ['newlines', 'passphrase=s3cret-pass\nsymbol=MSFT\naction=sell\nquantity=3\n'],
    ['CRLF line ends', 'passphrase=s3cret-pass\r\nsymbol=MSFT\r\naction=sell\r\nquantity=3'],
    ['commas', 'passphrase=s3cret-pass,symbol=MSFT,action=sell,quantity=3'],
    ['semicolons', 'passphrase=s3cret-pass;symbol=MSFT;action=sell;quantity=3'],
    ['mixed separators', 'passphrase=s3cret-pass, symbol=MSFT;\naction=sell quantity=3'],
  ])('reads a plain-text key=value message separated by %s', (_separators, raw) => {
    // Prepare
    const fields = bodyFields(raw);

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert).toEqual({
      passphrase: 's3cret-pass',
      symbol: 'MSFT',
      action: 'sell',
      opensShort: false,
      quantity: 3,
      type: 'market',
      timeInForce: 'day',
    });
  });

  it('reads quoted values of a plain-text message with their separators', () => {
    // Prepare
    const fields = bodyFields('symbol=MSFT action=buy comment="Long Entry, leg 1" strategy=\'Mean Revert\'');

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.comment).toBe('Long Entry, leg 1');
    expect(alert.strategy).toBe('Mean Revert');
  });

  it('treats an empty plain-text value as absent and still reads the next pair', () => {
    // Prepare
    const fields = bodyFields('symbol=MSFT\ncomment=\ntype=limit\nlimit_price=410\naction=buy');

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.comment).toBeUndefined();
    expect(alert.type).toBe('limit');
    expect(alert.limitPrice).toBe(410);
    expect(alert.action).toBe('buy');
  });

  it('tolerates a byte-order mark and whitespace around a JSON body', () => {
    // Prepare
    const fields = bodyFields('\uFEFF\n  {"symbol":"aapl","side":"buy","qty":"1"}  \r\n');

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.symbol).toBe('AAPL');
    expect(alert.quantity).toBe(1);
  });
});

describe('parseAlert aliases', () => {
  type Row = { alias: string; value: unknown; read: keyof Alert; expected: unknown; extra?: BodyFields };
  const rows: Row[] = [
    { alias: 'passphrase', value: 'pass-one', read: 'passphrase', expected: 'pass-one' },
    { alias: 'secret', value: 'pass-two', read: 'passphrase', expected: 'pass-two' },
    { alias: 'key', value: 'pass-three', read: 'passphrase', expected: 'pass-three' },
    { alias: 'token', value: 'pass-four', read: 'passphrase', expected: 'pass-four' },
    { alias: 'symbol', value: 'msft', read: 'symbol', expected: 'MSFT' },
    { alias: 'ticker', value: 'nvda', read: 'symbol', expected: 'NVDA' },
    { alias: 'exchange', value: 'NASDAQ', read: 'exchange', expected: 'NASDAQ' },
    { alias: 'action', value: 'sell', read: 'action', expected: 'sell' },
    { alias: 'side', value: 'SELL', read: 'action', expected: 'sell' },
    { alias: 'order_action', value: 'sell', read: 'action', expected: 'sell' },
    { alias: 'quantity', value: '5', read: 'quantity', expected: 5 },
    { alias: 'qty', value: 6, read: 'quantity', expected: 6 },
    { alias: 'contracts', value: '7', read: 'quantity', expected: 7 },
    { alias: 'order_contracts', value: 8, read: 'quantity', expected: 8 },
    { alias: 'price', value: '101.5', read: 'price', expected: 101.5 },
    { alias: 'close', value: 102.5, read: 'price', expected: 102.5 },
    { alias: 'order_price', value: '103.5', read: 'price', expected: 103.5 },
    { alias: 'id', value: 'alert-1', read: 'id', expected: 'alert-1' },
    { alias: 'alert_id', value: 'alert-2', read: 'id', expected: 'alert-2' },
    { alias: 'time', value: '2026-11-20T14:31:05Z', read: 'time', expected: '2026-11-20T14:31:05.000Z' },
    { alias: 'timenow', value: '2026-11-20T14:31:06Z', read: 'time', expected: '2026-11-20T14:31:06.000Z' },
    { alias: 'timestamp', value: '2026-11-20T14:31:07Z', read: 'time', expected: '2026-11-20T14:31:07.000Z' },
    { alias: 'market_position', value: 'long', read: 'marketPosition', expected: 'long' },
    { alias: 'sentiment', value: 'Flat', read: 'marketPosition', expected: 'flat' },
    { alias: 'position_size', value: '-10', read: 'positionSize', expected: -10 },
    { alias: 'prev_market_position', value: 'SHORT', read: 'prevMarketPosition', expected: 'short' },
    { alias: 'strategy', value: 'Breakout', read: 'strategy', expected: 'Breakout' },
    { alias: 'order_id', value: 'Long Entry', read: 'orderName', expected: 'Long Entry' },
    { alias: 'type', value: 'STOP', read: 'type', expected: 'stop', extra: { stop_price: 99 } },
    { alias: 'order_type', value: 'limit', read: 'type', expected: 'limit', extra: { limit_price: 99 } },
    { alias: 'limit_price', value: '99.5', read: 'limitPrice', expected: 99.5 },
    { alias: 'stop_price', value: '98.5', read: 'stopPrice', expected: 98.5 },
    { alias: 'trail_percent', value: '1.5', read: 'trailPercent', expected: 1.5 },
    { alias: 'time_in_force', value: 'GTC', read: 'timeInForce', expected: 'gtc' },
    { alias: 'tif', value: 'ioc', read: 'timeInForce', expected: 'ioc' },
    { alias: 'extended_hours', value: 'true', read: 'extendedHours', expected: true },
    { alias: 'take_profit', value: '120', read: 'takeProfit', expected: 120 },
    { alias: 'stop_loss', value: '90', read: 'stopLoss', expected: 90 },
    { alias: 'comment', value: 'first leg', read: 'comment', expected: 'first leg' },
  ];

  it.each(rows)('reads $alias as $read', ({ alias, value, read, expected, extra }) => {
    // Prepare
    const fields: BodyFields = {
      ...(read === 'symbol' ? {} : { symbol: 'AAPL' }),
      ...(read === 'action' ? {} : { action: 'buy' }),
      ...extra,
      [alias]: value,
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert[read]).toEqual(expected);
  });

  it.each(rows)('reads $alias written in upper case', ({ alias, value, read, expected, extra }) => {
    // Prepare
    const fields: BodyFields = {
      ...(read === 'symbol' ? {} : { SYMBOL: 'AAPL' }),
      ...(read === 'action' ? {} : { ACTION: 'buy' }),
      ...extra,
      [alias.toUpperCase()]: value,
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert[read]).toEqual(expected);
  });

  it('prefers the first alias in order when several are sent', () => {
    // Prepare
    const fields: BodyFields = {
      ticker: 'MSFT',
      symbol: 'AAPL',
      side: 'sell',
      action: 'buy',
      qty: 7,
      quantity: 5,
      token: 'second',
      passphrase: 'first-one',
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.symbol).toBe('AAPL');
    expect(alert.action).toBe('buy');
    expect(alert.quantity).toBe(5);
    expect(alert.passphrase).toBe('first-one');
  });

  it('ignores fields it does not know', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', interval: '5', volume: 1000 };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert).not.toHaveProperty('interval');
    expect(alert).not.toHaveProperty('volume');
  });

  it('treats empty optional fields as absent', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', qty: '', price: null, comment: '' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.quantity).toBeUndefined();
    expect(alert.price).toBeUndefined();
    expect(alert.comment).toBeUndefined();
  });

  it('defaults the order type to market and the time in force to day', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.type).toBe('market');
    expect(alert.timeInForce).toBe('day');
  });

  it('turns numeric id and order_id into strings', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', id: 42, order_id: 7 };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.id).toBe('42');
    expect(alert.orderName).toBe('7');
  });

  it('accepts a passphrase sent as a JSON number, as findPassphrase does', () => {
    // Prepare
    const fields: BodyFields = { passphrase: 12345678, symbol: 'AAPL', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.passphrase).toBe('12345678');
    expect(alert.passphrase).toBe(findPassphrase(fields));
  });
});

describe('parseAlert actions', () => {
  it.each([
    ['buy', 'buy', false],
    ['BUY', 'buy', false],
    ['long', 'buy', false],
    ['Long', 'buy', false],
    ['sell', 'sell', false],
    ['Sell', 'sell', false],
    ['short', 'sell', true],
    ['SHORT', 'sell', true],
    ['exit', 'exit', false],
    ['EXIT', 'exit', false],
    ['close', 'exit', false],
    ['Close', 'exit', false],
    ['flat', 'exit', false],
    ['FLAT', 'exit', false],
    ['  sell  ', 'sell', false],
  ])('maps action %j to %s with opensShort %s', (sent, action, opensShort) => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: sent };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.action).toBe(action);
    expect(alert.opensShort).toBe(opensShort);
  });

  it('marks a sell as opening a short when the market position is short', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'sell', market_position: 'short' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.action).toBe('sell');
    expect(alert.opensShort).toBe(true);
  });

  it('marks a sell with a short sentiment as opening a short', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'sell', sentiment: 'SHORT' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.opensShort).toBe(true);
  });

  it('keeps a sell that leaves the strategy flat as not opening a short', () => {
    // Prepare
    const fields: BodyFields = {
      ticker: 'AAPL',
      strategy: { order_action: 'sell', market_position: 'flat', prev_market_position: 'long' },
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.action).toBe('sell');
    expect(alert.opensShort).toBe(false);
  });

  it('does not mark a buy as opening a short even when the position is short', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', market_position: 'short' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.opensShort).toBe(false);
  });

  it('refuses an unknown action, naming the field as sent', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', side: 'hold' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'side', message: 'must be one of buy, sell, long, short, exit, close, flat' },
    ]);
  });

  it('refuses an alert without an action', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', qty: 1 };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe('action');
  });
});

describe('parseAlert numbers', () => {
  it('reads numeric strings, with blanks around them, as numbers', () => {
    // Prepare
    const fields: BodyFields = {
      symbol: 'AAPL',
      action: 'buy',
      quantity: ' 10 ',
      price: '189.52',
      position_size: '-10',
      take_profit: '200',
      stop_loss: '180.5',
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.quantity).toBe(10);
    expect(alert.price).toBe(189.52);
    expect(alert.positionSize).toBe(-10);
    expect(alert.takeProfit).toBe(200);
    expect(alert.stopLoss).toBe(180.5);
  });

  it('accepts a fractional quantity', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'BTCUSD', action: 'buy', qty: '0.015' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.quantity).toBe(0.015);
  });

  it('accepts a zero position size', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'exit', position_size: '0' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.positionSize).toBe(0);
  });

  it('refuses a quantity that is not a number, naming the field as sent', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', qty: 'ten' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'qty', message: 'must be a number' }]);
  });

  it.each([
    ['zero', '0'],
    ['negative', '-5'],
    ['zero as a number', 0],
  ])('refuses a %s quantity as not greater than 0', (_kind, qty) => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', contracts: qty };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'contracts', message: 'must be greater than 0' }]);
  });

  it.each([
    ['a boolean', true],
    ['an object', { value: 1 }],
    ['an array', [1]],
    ['infinity', 'Infinity'],
  ])('refuses %s as a price', (_kind, price) => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', price };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe('price');
  });

  it('refuses a bad nested value, naming the key it was sent under', () => {
    // Prepare
    const fields: BodyFields = { ticker: 'AAPL', strategy: { order_action: 'buy', order_contracts: 'lots' } };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'order_contracts', message: 'must be a number' }]);
  });
});

describe('parseAlert symbols', () => {
  it('splits an exchange-prefixed symbol into exchange and ticker', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'NASDAQ:AAPL', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.symbol).toBe('AAPL');
    expect(alert.exchange).toBe('NASDAQ');
  });

  it('keeps an exchange field the sender gave over the symbol prefix', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'BATS:AAPL', exchange: 'NASDAQ', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert).toMatchObject({ symbol: 'AAPL', exchange: 'NASDAQ' });
  });

  it('accepts a continuous futures ticker such as CME_MINI:ES1!', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'CME_MINI:ES1!', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.symbol).toBe('ES1!');
  });

  it('uppercases and trims a lowercase symbol', () => {
    // Prepare
    const fields: BodyFields = { ticker: ' aapl ', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.symbol).toBe('AAPL');
  });

  it.each([
    ['BRK.B', 'BRK.B'],
    ['BINANCE:BTCUSDT', 'BTCUSDT'],
    ['BF/B', 'BF/B'],
    ['7203', '7203'],
    ['TSE:7203', '7203'],
    ['EURUSD', 'EURUSD'],
  ])('accepts the symbol %s as %s', (symbol, expected) => {
    // Prepare
    const fields: BodyFields = { symbol, action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.symbol).toBe(expected);
  });

  it.each([
    ['a blank inside', 'AA PL'],
    ['a leading dot', '.AAPL'],
    ['a dollar sign', '$AAPL'],
    ['more than 32 characters', 'A'.repeat(33)],
    ['an empty exchange-prefixed name', 'NASDAQ:'],
  ])('refuses a symbol with %s, naming the field as sent', (_kind, ticker) => {
    // Prepare
    const fields: BodyFields = { ticker, action: 'buy' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'ticker', message: 'must be a ticker such as AAPL or NASDAQ:AAPL' }]);
  });

  it('refuses an alert without a symbol', () => {
    // Prepare
    const fields: BodyFields = { action: 'buy', qty: 1 };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'symbol', message: 'is required' }]);
  });
});

describe('parseAlert time', () => {
  it('normalizes an ISO time to UTC with milliseconds', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', time: '2026-11-20T09:31:05-05:00' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.time).toBe('2026-11-20T14:31:05.000Z');
  });

  it('reads epoch seconds given as a number', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', time: 1_795_703_465 };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.time).toBe('2026-11-26T14:31:05.000Z');
  });

  it('reads epoch seconds given as a string', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', time: '1795703465' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.time).toBe('2026-11-26T14:31:05.000Z');
  });

  it('reads epoch milliseconds given as a number', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', timestamp: 1_795_703_465_123 };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.time).toBe('2026-11-26T14:31:05.123Z');
  });

  it('reads epoch milliseconds given as a string', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', timenow: '1795703465123' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.time).toBe('2026-11-26T14:31:05.123Z');
  });

  it('refuses a time that is not a time, naming the field as sent', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', timenow: 'yesterday' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'timenow', message: 'must be an ISO-8601 time or epoch milliseconds' }]);
  });

  it('does not take the bar time as the alert time', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', bar: { time: '2026-11-20T14:30:00Z' } };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.time).toBeUndefined();
  });
});

describe('parseAlert order types', () => {
  it('refuses a limit order without a limit price', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', type: 'limit' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'limit_price', message: 'is required for a limit order' }]);
  });

  it('accepts a limit order with a limit price', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', order_type: 'LIMIT', limit_price: '185' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.type).toBe('limit');
    expect(alert.limitPrice).toBe(185);
  });

  it('accepts a limit order whose price stands in for the limit price', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', type: 'limit', price: '185' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.type).toBe('limit');
    expect(alert.price).toBe(185);
  });

  it('refuses a stop order without a stop price', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'sell', type: 'stop', price: 185 };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'stop_price', message: 'is required for a stop order' }]);
  });

  it('refuses a stop_limit order missing both prices, reporting both', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'sell', type: 'stop_limit' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'limit_price', message: 'is required for a stop_limit order' },
      { field: 'stop_price', message: 'is required for a stop_limit order' },
    ]);
  });

  it('accepts a stop_limit order with both prices', () => {
    // Prepare
    const fields: BodyFields = {
      symbol: 'AAPL',
      action: 'sell',
      type: 'stop_limit',
      stop_price: 180,
      limit_price: 179.5,
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.stopPrice).toBe(180);
    expect(alert.limitPrice).toBe(179.5);
  });

  it('refuses a trailing_stop order without a trail percent', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'sell', type: 'trailing_stop' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'trail_percent', message: 'is required for a trailing_stop order' }]);
  });

  it('reads extended_hours sent as a JSON boolean', () => {
    // Prepare
    const fields: BodyFields = {
      symbol: 'AAPL',
      action: 'buy',
      type: 'limit',
      price: 185,
      extended_hours: false,
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.extendedHours).toBe(false);
  });

  it.each([
    ['TRUE', true],
    ['True', true],
    [' true ', true],
    ['FALSE', false],
    ['False', false],
  ])('reads extended_hours sent as the text %j without regard to case', (value, expected) => {
    // Prepare
    const fields: BodyFields = {
      symbol: 'AAPL',
      action: 'buy',
      type: 'limit',
      price: 185,
      extended_hours: value,
    };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.extendedHours).toBe(expected);
  });

  it('refuses an extended_hours sent as a number', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', extended_hours: 1 };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'extended_hours', message: 'must be true or false' }]);
  });

  it('leaves extended hours unset when the alert does not mention them', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.extendedHours).toBeUndefined();
  });

  it('refuses an extended_hours value that is neither true nor false', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', extended_hours: 'yes' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'extended_hours', message: 'must be true or false' }]);
  });

  it('refuses an unknown order type and time in force, naming both fields as sent', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', order_type: 'moon', tif: 'forever' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors.map((error) => error.field).sort()).toEqual(['order_type', 'tif']);
  });
});

describe('parseAlert placeholders', () => {
  it('refuses an unrendered placeholder, naming the field and the placeholder', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', price: '{{close}}' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([{ field: 'price', message: 'unrendered TradingView placeholder {{close}}' }]);
  });

  it('reports an unrendered placeholder inside the strategy object as strategy.order_price', () => {
    // Prepare
    const fields: BodyFields = {
      ticker: 'AAPL',
      strategy: { order_action: 'buy', order_contracts: 10, order_price: '{{close}}' },
    };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'strategy.order_price', message: 'unrendered TradingView placeholder {{close}}' },
    ]);
  });

  it('finds a placeholder embedded in other text', () => {
    // Prepare
    const fields: BodyFields = {
      symbol: 'AAPL',
      action: 'buy',
      comment: 'entry at {{strategy.order.price}} now',
    };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'comment', message: 'unrendered TradingView placeholder {{strategy.order.price}}' },
    ]);
  });

  it('refuses a placeholder even in a field it does not otherwise read', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', interval: '{{interval}}' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'interval', message: 'unrendered TradingView placeholder {{interval}}' },
    ]);
  });

  it('reports every unrendered placeholder, top-level and nested, naming each as sent', () => {
    // Prepare
    const fields: BodyFields = {
      ticker: '{{ticker}}',
      Action: '{{strategy.order.action}}',
      bar: { close: '{{close}}' },
      strategy: { order_contracts: '{{strategy.order.contracts}}' },
    };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'ticker', message: 'unrendered TradingView placeholder {{ticker}}' },
      { field: 'Action', message: 'unrendered TradingView placeholder {{strategy.order.action}}' },
      { field: 'bar.close', message: 'unrendered TradingView placeholder {{close}}' },
      {
        field: 'strategy.order_contracts',
        message: 'unrendered TradingView placeholder {{strategy.order.contracts}}',
      },
    ]);
  });

  it('refuses a placeholder left in a plain-text message', () => {
    // Prepare
    const fields = bodyFields('symbol=AAPL action=buy quantity={{strategy.order.contracts}}');

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toEqual([
      { field: 'quantity', message: 'unrendered TradingView placeholder {{strategy.order.contracts}}' },
    ]);
  });

  it('accepts single braces that are not placeholders', () => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', action: 'buy', comment: 'set {a} and }}{{' };

    // Act
    const alert = accepted(fields);

    // Assess
    expect(alert.comment).toBe('set {a} and }}{{');
  });
});

describe('parseAlert several problems', () => {
  it('reports every bad field at once, each named as sent', () => {
    // Prepare
    const fields: BodyFields = { ticker: '$$$', side: 'jump', qty: '-3', price: 'cheap', tif: 'forever' };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors).toHaveLength(5);
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'ticker', message: 'must be a ticker such as AAPL or NASDAQ:AAPL' },
        { field: 'side', message: 'must be one of buy, sell, long, short, exit, close, flat' },
        { field: 'qty', message: 'must be greater than 0' },
        { field: 'price', message: 'must be a number' },
        expect.objectContaining({ field: 'tif' }),
      ]),
    );
  });

  it('reports a missing symbol and a missing action together', () => {
    // Prepare
    const fields: BodyFields = { qty: 1 };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors.map((error) => error.field).sort()).toEqual(['action', 'symbol']);
  });

  it('refuses an empty set of fields', () => {
    // Prepare
    const fields: BodyFields = {};

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors.map((error) => error.field).sort()).toEqual(['action', 'symbol']);
  });

  it('refuses an id and a comment that are too long', () => {
    // Prepare
    const fields: BodyFields = {
      symbol: 'AAPL',
      action: 'buy',
      id: 'i'.repeat(129),
      comment: 'c'.repeat(257),
    };

    // Act
    const errors = refused(fields);

    // Assess
    expect(errors.map((error) => error.field).sort()).toEqual(['comment', 'id']);
  });
});

describe('findPassphrase', () => {
  it.each(['passphrase', 'secret', 'key', 'token'])('finds the passphrase sent as "%s"', (alias) => {
    // Prepare
    const fields: BodyFields = { symbol: 'AAPL', [alias]: 's3cret-pass' };

    // Act
    const passphrase = findPassphrase(fields);

    // Assess
    expect(passphrase).toBe('s3cret-pass');
  });

  it('matches the key whatever its case', () => {
    // Prepare
    const fields: BodyFields = { PassPhrase: 's3cret-pass' };

    // Act
    const passphrase = findPassphrase(fields);

    // Assess
    expect(passphrase).toBe('s3cret-pass');
  });

  it('prefers passphrase over the other aliases', () => {
    // Prepare
    const fields: BodyFields = { token: 'other', secret: 'another', passphrase: 's3cret-pass' };

    // Act
    const passphrase = findPassphrase(fields);

    // Assess
    expect(passphrase).toBe('s3cret-pass');
  });

  it('turns a numeric passphrase into a string', () => {
    // Prepare
    const fields: BodyFields = { passphrase: 12345678 };

    // Act
    const passphrase = findPassphrase(fields);

    // Assess
    expect(passphrase).toBe('12345678');
  });

  it('finds the passphrase of a body that would fail validation', () => {
    // Prepare
    const fields = bodyFields('passphrase=s3cret-pass price={{close}}');

    // Act
    const passphrase = findPassphrase(fields);

    // Assess
    expect(passphrase).toBe('s3cret-pass');
  });

  it.each([
    ['no passphrase', { symbol: 'AAPL' }],
    ['an object', { passphrase: { value: 'x' } }],
    ['a boolean', { passphrase: true }],
    ['null', { passphrase: null }],
  ])('returns undefined for %s', (_kind, fields) => {
    // Prepare, Act
    const passphrase = findPassphrase(fields);

    // Assess
    expect(passphrase).toBeUndefined();
  });
});
