import { describe, expect, it } from 'vitest';
import {
  formatDecimal,
  statusOf,
  toOrderRequest,
  toStatusReport,
} from '../../src/brokers/alpaca/alpaca-mapping.ts';
import {
  ALPACA_ORDER_STATUSES,
  type AlpacaFillActivity,
  type AlpacaOrder,
} from '../../src/brokers/alpaca/alpaca-schemas.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';

function anOrder(overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  return {
    clientOrderId: asClientOrderId('pb-0000000001abc-1'),
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    type: 'market',
    timeInForce: 'day',
    ...overrides,
  };
}

const ORDER_ID = '7b2f1c2e-8a5d-4c3e-9f7a-1b2c3d4e5f60';

function anAlpacaOrder(overrides: Partial<AlpacaOrder> = {}): AlpacaOrder {
  return {
    id: ORDER_ID,
    client_order_id: 'pb-0000000001abc-1',
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    notional: null,
    filled_qty: 0,
    filled_avg_price: null,
    status: 'new',
    created_at: '2026-11-23T15:00:00.000Z',
    submitted_at: '2026-11-23T15:00:00.000Z',
    updated_at: '2026-11-23T15:00:01.000Z',
    ...overrides,
  };
}

function aFill(
  id: string,
  qty: number,
  price: number,
  second: number,
  orderId = ORDER_ID,
): AlpacaFillActivity {
  return {
    id,
    order_id: orderId,
    symbol: 'AAPL',
    side: 'buy',
    qty,
    price,
    transaction_time: `2026-11-23T15:00:${String(second).padStart(2, '0')}.000Z`,
  };
}

describe('formatDecimal', () => {
  it('writes plain decimals without float noise or trailing zeros', () => {
    expect(formatDecimal(0.1 + 0.2)).toBe('0.3');
    expect(formatDecimal(100)).toBe('100');
    expect(formatDecimal(187.25)).toBe('187.25');
    expect(formatDecimal(0.000000001)).toBe('0.000000001');
    expect(formatDecimal(-0)).toBe('0');
  });

  it('refuses values that are not finite plain numbers', () => {
    expect(formatDecimal(Number.NaN)).toBeUndefined();
    expect(formatDecimal(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(formatDecimal(1e21)).toBeUndefined();
  });
});

describe('toOrderRequest', () => {
  it('sends a market order with the qty as a string and our client order id', () => {
    const result = toOrderRequest(anOrder({ qty: 0.1 + 0.2 }));

    expect(result).toEqual({
      ok: true,
      body: {
        symbol: 'AAPL',
        side: 'buy',
        type: 'market',
        time_in_force: 'day',
        client_order_id: 'pb-0000000001abc-1',
        qty: '0.3',
      },
    });
  });

  it.each([
    ['limit', { limitPrice: 180.5 }, { limit_price: '180.5' }],
    ['stop', { stopPrice: 170 }, { stop_price: '170' }],
    ['stop_limit', { stopPrice: 170, limitPrice: 169.5 }, { stop_price: '170', limit_price: '169.5' }],
    ['trailing_stop', { trailPercent: 1.25 }, { trail_percent: '1.25' }],
  ] as const)('sends the prices a %s order needs', (type, prices, expected) => {
    const result = toOrderRequest(anOrder({ type, timeInForce: 'gtc', ...prices }));

    expect(result.ok && result.body).toMatchObject({ type, time_in_force: 'gtc', ...expected });
  });

  it('sends extended hours only for a day or gtc limit order', () => {
    const sent = toOrderRequest(anOrder({ type: 'limit', limitPrice: 180, extendedHours: true }));
    const refused = toOrderRequest(anOrder({ extendedHours: true }));

    expect(sent.ok && sent.body.extended_hours).toBe(true);
    expect(refused).toEqual({ ok: false, message: expect.stringContaining('extended hours') });
  });

  it('makes a bracket of an entry with both exits', () => {
    const result = toOrderRequest(
      anOrder({ takeProfit: { limitPrice: 200 }, stopLoss: { stopPrice: 170, limitPrice: 169 } }),
    );

    expect(result.ok && result.body).toMatchObject({
      order_class: 'bracket',
      take_profit: { limit_price: '200' },
      stop_loss: { stop_price: '170', limit_price: '169' },
    });
  });

  it('makes an OTO of an entry with one exit', () => {
    const result = toOrderRequest(anOrder({ stopLoss: { stopPrice: 170 } }));

    expect(result.ok && result.body).toMatchObject({ order_class: 'oto', stop_loss: { stop_price: '170' } });
    expect(result.ok && 'take_profit' in result.body).toBe(false);
  });

  it('sends notional instead of qty for a market day order', () => {
    const result = toOrderRequest(anOrder({ notional: 1000, qty: 5.3 }));

    expect(result.ok && result.body.notional).toBe('1000');
    expect(result.ok && 'qty' in result.body).toBe(false);
  });

  it.each([
    ['a notional limit order', { notional: 1000, type: 'limit', limitPrice: 10 }],
    ['a notional gtc order', { notional: 1000, timeInForce: 'gtc' }],
    ['a notional order with exits', { notional: 1000, stopLoss: { stopPrice: 1 } }],
    ['a limit order without a limit price', { type: 'limit' }],
    ['a stop order without a stop price', { type: 'stop' }],
    ['a trailing stop without a trail', { type: 'trailing_stop' }],
    ['a zero quantity', { qty: 0 }],
    ['a price that is not a number', { type: 'limit', limitPrice: Number.NaN }],
  ] as const)('refuses %s before sending it', (_, overrides) => {
    expect(toOrderRequest(anOrder(overrides)).ok).toBe(false);
  });
});

describe('statusOf', () => {
  it.each([
    ['new', 'ACCEPTED'],
    ['accepted', 'ACCEPTED'],
    ['pending_new', 'ACCEPTED'],
    ['accepted_for_bidding', 'ACCEPTED'],
    ['held', 'ACCEPTED'],
    ['done_for_day', 'ACCEPTED'],
    ['stopped', 'ACCEPTED'],
    ['suspended', 'ACCEPTED'],
    ['pending_replace', 'ACCEPTED'],
    ['replaced', 'ACCEPTED'],
    ['calculated', 'ACCEPTED'],
    ['partially_filled', 'PARTIALLY_FILLED'],
    ['filled', 'FILLED'],
    ['pending_cancel', 'PENDING_CANCEL'],
    ['canceled', 'CANCELED'],
    ['expired', 'EXPIRED'],
    ['rejected', 'REJECTED'],
  ] as const)('reads %s with nothing filled as %s', (alpaca, ours) => {
    expect(statusOf(alpaca, 0, 10)).toBe(ours);
  });

  it('maps every status the spec lists', () => {
    expect(ALPACA_ORDER_STATUSES.map((status) => statusOf(status, 0, 10))).toHaveLength(17);
  });

  it('reads a working status with something filled as PARTIALLY_FILLED', () => {
    expect(statusOf('done_for_day', 4, 10)).toBe('PARTIALLY_FILLED');
    expect(statusOf('replaced', 4, 10)).toBe('PARTIALLY_FILLED');
  });

  it('reads calculated as FILLED only when everything filled', () => {
    expect(statusOf('calculated', 10, 10)).toBe('FILLED');
    expect(statusOf('calculated', 6, 10)).toBe('PARTIALLY_FILLED');
  });
});

describe('toStatusReport', () => {
  it('reports a filled order with its fills, oldest first, fill id = activity id', () => {
    const order = anAlpacaOrder({ status: 'filled', filled_qty: 10, filled_avg_price: 101 });
    const activities = [aFill('a-2', 6, 102, 2), aFill('a-1', 4, 99.5, 1), aFill('other', 1, 1, 1, 'x')];

    const report = toStatusReport(order, activities);

    expect(report).toMatchObject({
      clientOrderId: 'pb-0000000001abc-1',
      brokerOrderId: ORDER_ID,
      status: 'FILLED',
      qty: 10,
      filledQty: 10,
      avgFillPrice: 101,
      updatedAt: '2026-11-23T15:00:01.000Z',
    });
    expect(report.fills.map((fill) => [fill.fillId, fill.qty, fill.price, fill.commission])).toEqual([
      ['a-1', 4, 99.5, 0],
      ['a-2', 6, 102, 0],
    ]);
  });

  it('lowers a filled order to PARTIALLY_FILLED when its fill activities lag', () => {
    const order = anAlpacaOrder({ status: 'filled', filled_qty: 10 });

    const report = toStatusReport(order, [aFill('a-1', 4, 100, 1)]);

    expect(report).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 4 });
    expect(report.reason).toContain('fill feed');
  });

  it('lowers a filled order to ACCEPTED when no fill activity is listed yet', () => {
    const report = toStatusReport(anAlpacaOrder({ status: 'filled', filled_qty: 10 }), []);

    expect(report).toMatchObject({ status: 'ACCEPTED', filledQty: 0, fills: [] });
  });

  it('lowers a canceled order with unlisted fills, so the missing fill is not released', () => {
    const report = toStatusReport(anAlpacaOrder({ status: 'canceled', filled_qty: 3 }), []);

    expect(report.status).toBe('ACCEPTED');
  });

  it('leaves out fills newer than the order it read', () => {
    const order = anAlpacaOrder({ status: 'partially_filled', filled_qty: 4 });

    const report = toStatusReport(order, [aFill('a-1', 4, 100, 1), aFill('a-2', 6, 100, 2)]);

    expect(report).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 4 });
    expect(report.fills.map((fill) => fill.fillId)).toEqual(['a-1']);
  });

  it('keeps fills summing to filledQty with fractional quantities', () => {
    const order = anAlpacaOrder({ qty: 0.3, status: 'filled', filled_qty: 0.3 });

    const report = toStatusReport(order, [aFill('a-1', 0.1, 100, 1), aFill('a-2', 0.2, 100, 2)]);

    expect(report).toMatchObject({ status: 'FILLED', filledQty: 0.3 });
  });

  it('reports a notional order by the quantity filled, as Alpaca gives no qty', () => {
    const order = anAlpacaOrder({ qty: null, notional: 1000, status: 'filled', filled_qty: 5.2 });

    const report = toStatusReport(order, [aFill('a-1', 5.2, 192.3, 1)]);

    expect(report).toMatchObject({ qty: 5.2, filledQty: 5.2, status: 'FILLED' });
  });

  it('reports a short sale activity as a sell', () => {
    const order = anAlpacaOrder({ side: 'sell', status: 'filled', filled_qty: 10 });

    const report = toStatusReport(order, [{ ...aFill('a-1', 10, 100, 1), side: 'sell_short' }]);

    expect(report.fills[0]?.side).toBe('sell');
  });
});
