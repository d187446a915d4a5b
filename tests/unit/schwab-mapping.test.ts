import { describe, expect, it } from 'vitest';
import {
  instructionFor,
  type SchwabMapping,
  schwabPrice,
  statusOf,
  toSchwabOrder,
} from '../../src/brokers/schwab/schwab-mapping.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { OrderRequest } from '../support/schwab-fake/order-request.ts';

const ID = asClientOrderId('pb-1-1');

function anOrder(overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  return {
    clientOrderId: ID,
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    type: 'market',
    timeInForce: 'day',
    ...overrides,
  };
}

/** The request of a mapping that must succeed, checked against the fake's strict schema too. */
function request(mapping: SchwabMapping) {
  if (!mapping.ok) throw new Error(`expected a request, got ${mapping.code}`);
  expect(OrderRequest.safeParse(mapping.request).error).toBeUndefined();
  return mapping.request;
}

const BUY_LEG = { instruction: 'BUY', quantity: 10, instrument: { symbol: 'AAPL', assetType: 'EQUITY' } };

describe('SubmitOrder to a Schwab order', () => {
  it('sends a market day buy as a SINGLE MARKET DAY order in the NORMAL session', () => {
    expect(request(toSchwabOrder(anOrder(), 'BUY'))).toEqual({
      orderStrategyType: 'SINGLE',
      session: 'NORMAL',
      duration: 'DAY',
      orderType: 'MARKET',
      orderLegCollection: [BUY_LEG],
    });
  });

  it.each([
    [
      { type: 'limit', limitPrice: 187.456 },
      { orderType: 'LIMIT', price: 187.46 },
    ],
    [
      { type: 'stop', stopPrice: 180 },
      { orderType: 'STOP', stopPrice: 180 },
    ],
    [
      { type: 'stop_limit', stopPrice: 180, limitPrice: 179.5 },
      { orderType: 'STOP_LIMIT', stopPrice: 180, price: 179.5 },
    ],
    [
      { type: 'trailing_stop', trailPercent: 2.5 },
      {
        orderType: 'TRAILING_STOP',
        stopPriceLinkBasis: 'LAST',
        stopPriceLinkType: 'PERCENT',
        stopPriceOffset: 2.5,
      },
    ],
  ] as const)('maps a %o order to its Schwab type and prices', (fields, expected) => {
    expect(request(toSchwabOrder(anOrder(fields), 'BUY'))).toMatchObject(expected);
  });

  it.each([
    ['gtc', 'GOOD_TILL_CANCEL'],
    ['fok', 'FILL_OR_KILL'],
    ['ioc', 'IMMEDIATE_OR_CANCEL'],
  ] as const)('maps time in force %s to duration %s', (timeInForce, duration) => {
    expect(request(toSchwabOrder(anOrder({ timeInForce }), 'BUY')).duration).toBe(duration);
  });

  it('sends an extended-hours limit order in the SEAMLESS session', () => {
    const order = anOrder({ type: 'limit', limitPrice: 190, extendedHours: true, timeInForce: 'gtc' });
    expect(request(toSchwabOrder(order, 'BUY'))).toMatchObject({
      session: 'SEAMLESS',
      duration: 'GOOD_TILL_CANCEL',
    });
  });

  it.each([
    [{ timeInForce: 'opg' }, 'UNSUPPORTED_TIME_IN_FORCE'],
    [{ timeInForce: 'cls' }, 'UNSUPPORTED_TIME_IN_FORCE'],
    [{ qty: 2.5 }, 'FRACTIONAL_QUANTITY'],
    [{ extendedHours: true }, 'UNSUPPORTED_ORDER'],
    [{ type: 'limit' }, 'INVALID_ORDER'],
    [{ type: 'stop_limit', stopPrice: 5 }, 'INVALID_ORDER'],
    [{ type: 'trailing_stop' }, 'INVALID_ORDER'],
  ] as const)('refuses %o with %s', (fields, code) => {
    expect(toSchwabOrder(anOrder(fields), 'BUY')).toMatchObject({ ok: false, code });
  });

  it('sends a bracket as a TRIGGER entry whose child is an OCO of a LIMIT and a STOP that sell', () => {
    const order = anOrder({ takeProfit: { limitPrice: 210 }, stopLoss: { stopPrice: 170 } });
    const exit = (fields: object) => ({
      orderStrategyType: 'SINGLE',
      session: 'NORMAL',
      duration: 'DAY',
      ...fields,
      orderLegCollection: [{ ...BUY_LEG, instruction: 'SELL' }],
    });
    expect(request(toSchwabOrder(order, 'BUY'))).toEqual({
      orderStrategyType: 'TRIGGER',
      session: 'NORMAL',
      duration: 'DAY',
      orderType: 'MARKET',
      orderLegCollection: [BUY_LEG],
      childOrderStrategies: [
        {
          orderStrategyType: 'OCO',
          childOrderStrategies: [
            exit({ orderType: 'LIMIT', price: 210 }),
            exit({ orderType: 'STOP', stopPrice: 170 }),
          ],
        },
      ],
    });
  });

  it('covers a short bracket with BUY_TO_COVER exits that last as long as a gtc entry', () => {
    const order = anOrder({
      side: 'sell',
      timeInForce: 'gtc',
      takeProfit: { limitPrice: 150 },
      stopLoss: { stopPrice: 200, limitPrice: 201 },
    });
    const mapped = request(toSchwabOrder(order, 'SELL_SHORT'));
    const oco = mapped.childOrderStrategies?.[0];
    expect(oco).toMatchObject({
      orderStrategyType: 'OCO',
      childOrderStrategies: [
        {
          orderType: 'LIMIT',
          price: 150,
          duration: 'GOOD_TILL_CANCEL',
          orderLegCollection: [{ instruction: 'BUY_TO_COVER' }],
        },
        {
          orderType: 'STOP_LIMIT',
          stopPrice: 200,
          price: 201,
          orderLegCollection: [{ instruction: 'BUY_TO_COVER' }],
        },
      ],
    });
  });

  it('attaches a lone take-profit as the TRIGGER’s single child', () => {
    const order = anOrder({ type: 'limit', limitPrice: 190, takeProfit: { limitPrice: 200 } });
    expect(request(toSchwabOrder(order, 'BUY')).childOrderStrategies).toEqual([
      expect.objectContaining({ orderStrategyType: 'SINGLE', orderType: 'LIMIT', price: 200 }),
    ]);
  });

  it.each([
    ['buy', 'open', 'BUY'],
    ['buy', 'reduce', 'BUY_TO_COVER'],
    ['buy', undefined, 'BUY'],
    ['sell', 'reduce', 'SELL'],
    ['sell', 'open', 'SELL_SHORT'],
    ['sell', undefined, 'SELL'],
  ] as const)('sends a %s that %s a position as %s', (side, effect, instruction) => {
    expect(instructionFor(side, effect)).toBe(instruction);
  });

  it('rounds prices to cents, and to hundredths of a cent below a dollar', () => {
    expect([schwabPrice(12.345), schwabPrice(0.12345), schwabPrice(100)]).toEqual([12.35, 0.1235, 100]);
  });
});

describe('Schwab statuses to ours', () => {
  it.each([
    ['NEW', 'SUBMITTED'],
    ['PENDING_ACKNOWLEDGEMENT', 'SUBMITTED'],
    ['AWAITING_PARENT_ORDER', 'ACCEPTED'],
    ['AWAITING_CONDITION', 'ACCEPTED'],
    ['AWAITING_STOP_CONDITION', 'ACCEPTED'],
    ['AWAITING_MANUAL_REVIEW', 'ACCEPTED'],
    ['AWAITING_UR_OUT', 'ACCEPTED'],
    ['AWAITING_RELEASE_TIME', 'ACCEPTED'],
    ['PENDING_ACTIVATION', 'ACCEPTED'],
    ['QUEUED', 'ACCEPTED'],
    ['WORKING', 'ACCEPTED'],
    ['ACCEPTED', 'ACCEPTED'],
    ['PENDING_REPLACE', 'ACCEPTED'],
    ['PENDING_CANCEL', 'PENDING_CANCEL'],
    ['PENDING_RECALL', 'PENDING_CANCEL'],
    ['FILLED', 'FILLED'],
    ['CANCELED', 'CANCELED'],
    ['REPLACED', 'CANCELED'],
    ['REJECTED', 'REJECTED'],
    ['EXPIRED', 'EXPIRED'],
    ['UNKNOWN', 'ACCEPTED'],
    ['SOMETHING_NEW', 'ACCEPTED'],
  ])('maps %s to %s', (schwab, ours) => {
    expect(statusOf(schwab)).toBe(ours);
  });
});
