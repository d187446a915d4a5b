import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_WINDOW, matchLostOrder } from '../../src/brokers/schwab/schwab-memory.ts';
import { accountOf, positionsOf, toReport } from '../../src/brokers/schwab/schwab-reports.ts';
import { SchwabAccount, SchwabOrder } from '../../src/brokers/schwab/schwab-schemas.ts';
import { asClientOrderId } from '../../src/domain/ids.ts';

const ID = asClientOrderId('pb-1-1');

/** A Schwab order as its API answers, with fills of [qty, price] at 15:00:0N. */
function schwabOrder(fields: {
  status: string;
  filledQuantity?: number;
  fills?: ReadonlyArray<readonly [number, number]>;
  id?: number;
  entered?: string;
  symbol?: string;
  instruction?: string;
  quantity?: number;
}) {
  return SchwabOrder.parse({
    orderId: fields.id ?? 1001,
    status: fields.status,
    quantity: fields.quantity ?? 10,
    filledQuantity: fields.filledQuantity ?? (fields.fills ?? []).reduce((sum, [qty]) => sum + qty, 0),
    enteredTime: fields.entered ?? '2026-11-23T15:00:00+0000',
    orderStrategyType: 'SINGLE',
    orderLegCollection: [
      {
        instruction: fields.instruction ?? 'BUY',
        quantity: fields.quantity ?? 10,
        instrument: { symbol: fields.symbol ?? 'AAPL', assetType: 'EQUITY' },
      },
    ],
    orderActivityCollection: (fields.fills ?? []).map(([quantity, price], index) => ({
      activityType: 'EXECUTION',
      activityId: 500 + index,
      executionType: 'FILL',
      quantity,
      executionLegs: [{ legId: 1, quantity, price, time: `2026-11-23T15:00:0${index + 1}+0000` }],
    })),
  });
}

describe('Schwab orders to our reports', () => {
  it('reports execution legs as fills that sum to the filled quantity', () => {
    const report = toReport(
      schwabOrder({
        status: 'FILLED',
        fills: [
          [4, 100],
          [6, 101],
        ],
      }),
      ID,
    );
    expect(report).toMatchObject({
      status: 'FILLED',
      brokerOrderId: '1001',
      side: 'buy',
      filledQty: 10,
      avgFillPrice: 100.6,
    });
    expect(report.fills).toEqual([
      {
        fillId: '1001-500-0',
        clientOrderId: ID,
        symbol: 'AAPL',
        side: 'buy',
        qty: 4,
        price: 100,
        commission: 0,
        filledAt: '2026-11-23T15:00:01.000Z',
      },
      expect.objectContaining({
        fillId: '1001-501-0',
        qty: 6,
        price: 101,
        filledAt: '2026-11-23T15:00:02.000Z',
      }),
    ]);
  });

  it.each([
    ['WORKING', 3, [[3, 100]], 'PARTIALLY_FILLED'],
    ['FILLED', 10, [[4, 100]], 'PARTIALLY_FILLED'],
    ['FILLED', 10, [], 'ACCEPTED'],
    ['CANCELED', 4, [], 'ACCEPTED'],
    ['CANCELED', 4, [[4, 100]], 'CANCELED'],
    ['EXPIRED', 0, [], 'EXPIRED'],
  ] as const)(
    'reports a %s order with %i filled and fills %j as %s',
    (status, filledQuantity, fills, expected) => {
      const report = toReport(schwabOrder({ status, filledQuantity, fills }), ID);
      expect(report.status).toBe(expected);
      expect(report.filledQty).toBe(report.fills.reduce((sum, fill) => sum + fill.qty, 0));
    },
  );

  it('finds a lost order: the earliest unclaimed one of the same symbol, side and quantity after our send', () => {
    const recalled = {
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      submittedAt: '2026-11-23T15:00:00.000Z',
    } as const;
    const candidates = [
      schwabOrder({ status: 'WORKING', id: 1, entered: '2026-11-23T14:59:50+0000' }),
      schwabOrder({ status: 'WORKING', id: 2, entered: '2026-11-23T15:00:01+0000', quantity: 9 }),
      schwabOrder({ status: 'WORKING', id: 3, entered: '2026-11-23T15:00:01+0000', instruction: 'SELL' }),
      schwabOrder({ status: 'WORKING', id: 4, entered: '2026-11-23T15:00:01+0000', symbol: 'MSFT' }),
      schwabOrder({ status: 'WORKING', id: 5, entered: '2026-11-23T15:00:02+0000' }),
      schwabOrder({ status: 'WORKING', id: 6, entered: '2026-11-23T14:59:58+0000' }),
      schwabOrder({ status: 'WORKING', id: 7, entered: '2026-11-23T15:00:03+0000' }),
    ];
    expect(matchLostOrder(recalled, candidates, new Set(), DEFAULT_MATCH_WINDOW)?.orderId).toBe('6');
    expect(matchLostOrder(recalled, candidates, new Set(['6']), DEFAULT_MATCH_WINDOW)?.orderId).toBe('5');
    expect(
      matchLostOrder(recalled, candidates, new Set(['5', '6', '7']), DEFAULT_MATCH_WINDOW),
    ).toBeUndefined();
  });

  it('reads a bracket whose OCO holder carries only an id and its children', () => {
    const parent = SchwabOrder.parse({
      orderId: 7,
      status: 'FILLED',
      quantity: 10,
      enteredTime: '2026-11-23T15:00:00+0000',
      orderLegCollection: [{ instruction: 'BUY', quantity: 10, instrument: { symbol: 'AAPL' } }],
      childOrderStrategies: [
        { orderId: 8, orderStrategyType: 'OCO', childOrderStrategies: [{ orderId: 9, status: 'WORKING' }] },
      ],
    });
    expect(parent.childOrderStrategies[0]).toMatchObject({
      orderId: '8',
      status: 'UNKNOWN',
      orderLegCollection: [],
    });
    expect(parent.childOrderStrategies[0]?.childOrderStrategies[0]).toMatchObject({
      orderId: '9',
      status: 'WORKING',
    });
  });

  it('reports positions signed, shorts negative, without cash sweeps', () => {
    const account = SchwabAccount.parse({
      securitiesAccount: {
        positions: [
          {
            longQuantity: 5,
            shortQuantity: 0,
            averagePrice: 90,
            averageLongPrice: 91,
            instrument: { symbol: 'AAPL', assetType: 'EQUITY' },
          },
          {
            longQuantity: 0,
            shortQuantity: 3,
            averagePrice: 40,
            instrument: { symbol: 'XYZ', assetType: 'EQUITY' },
          },
          {
            longQuantity: 1000,
            shortQuantity: 0,
            averagePrice: 1,
            instrument: { symbol: 'SWVXX', assetType: 'CASH_EQUIVALENT' },
          },
        ],
      },
    });
    expect(positionsOf(account)).toEqual([
      { symbol: 'AAPL', qty: 5, avgPrice: 91 },
      { symbol: 'XYZ', qty: -3, avgPrice: 40 },
    ]);
  });

  it('reads cash, equity and buying power from current balances, else from what else Schwab gives', () => {
    const margin = SchwabAccount.parse({
      securitiesAccount: {
        currentBalances: { availableFunds: 10, buyingPower: 20 },
        initialBalances: { cashBalance: 7 },
      },
      aggregatedBalance: { liquidationValue: 30 },
    });
    expect(accountOf(margin)).toEqual({ cash: 10, equity: 30, buyingPower: 20, currency: 'USD' });
    expect(accountOf(SchwabAccount.parse({ securitiesAccount: {} }))).toBeUndefined();
  });
});
