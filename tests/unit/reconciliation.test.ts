import { describe, expect, it } from 'vitest';
import { CRYPTO_PATTERN, loadConfig } from '../../src/config.ts';
import { NYSE_CALENDAR } from '../../src/domain/market-hours.ts';
import type { PositionReport } from '../../src/domain/order.ts';
import {
  type DriftPolicy,
  dayOrderExpired,
  decideDrift,
  planAdoption,
  planReservationRepair,
  type SessionMarket,
  sessionEnd,
} from '../../src/domain/reconciliation.ts';
import { AT, aBook, NOW } from './builders.ts';

const market: SessionMarket = {
  calendar: NYSE_CALENDAR,
  cryptoPattern: new RegExp(CRYPTO_PATTERN),
};

function decide(
  policy: DriftPolicy,
  ours: Parameters<typeof aBook>[0],
  broker: PositionReport[],
  unsettled: string[] = [],
) {
  return decideDrift({ ours: aBook(ours).symbols, broker, unsettledSymbols: new Set(unsettled), policy });
}

describe('deciding what to do about drift', () => {
  it('reports drift under alert and asks for no action', () => {
    // Prepare
    const ours = { symbols: { AAPL: { qty: 2, avgPrice: 100 } } };

    // Act
    const decision = decide('alert', ours, [{ symbol: 'AAPL', qty: 5, avgPrice: 101 }]);

    // Assess
    expect(decision).toEqual({ drift: [{ symbol: 'AAPL', ours: 2, broker: 5 }], actions: [], deferred: [] });
  });

  it('reads a symbol the broker does not list as flat, and one we do not hold as 0', () => {
    // Prepare
    const ours = { symbols: { AAPL: { qty: 2, avgPrice: 100 } } };

    // Act
    const decision = decide('alert', ours, [{ symbol: 'TSLA', qty: -3, avgPrice: 200 }]);

    // Assess
    expect(decision.drift).toEqual([
      { symbol: 'AAPL', ours: 2, broker: 0 },
      { symbol: 'TSLA', ours: 0, broker: -3 },
    ]);
  });

  it('finds no drift when quantities agree to the ninth decimal, whatever the average prices', () => {
    // Prepare
    const ours = { symbols: { BTCUSD: { qty: 0.1 + 0.2, avgPrice: 60_000 } } };

    // Act
    const decision = decide('adopt', ours, [{ symbol: 'BTCUSD', qty: 0.3, avgPrice: 61_000 }]);

    // Assess
    expect(decision).toEqual({ drift: [], actions: [], deferred: [] });
  });

  it('adopts the broker position in each symbol with nothing pending under adopt', () => {
    // Prepare
    const ours = { symbols: { AAPL: { qty: 2, avgPrice: 100 } } };
    const broker = [
      { symbol: 'AAPL', qty: 3, avgPrice: 101 },
      { symbol: 'TSLA', qty: 1, avgPrice: 250 },
    ];

    // Act
    const decision = decide('adopt', ours, broker);

    // Assess
    expect(decision.actions).toEqual([
      {
        kind: 'ADOPT_POSITION',
        symbol: 'AAPL',
        from: { qty: 2, avgPrice: 100 },
        to: { qty: 3, avgPrice: 101 },
      },
      {
        kind: 'ADOPT_POSITION',
        symbol: 'TSLA',
        from: { qty: 0, avgPrice: 0 },
        to: { qty: 1, avgPrice: 250 },
      },
    ]);
    expect(decision.deferred).toEqual([]);
  });

  it('defers drift in a symbol with unsettled orders or reservations beyond its position', () => {
    // Prepare: MSFT has an order we have not settled, AMD an opening reservation, NVDA a reducing one
    const ours = {
      symbols: {
        MSFT: { qty: 1, avgPrice: 400 },
        AMD: { qty: 0, committed: 5 },
        NVDA: { qty: 4, avgPrice: 900, reducing: 2 },
      },
    };
    const broker = [
      { symbol: 'MSFT', qty: 2, avgPrice: 400 },
      { symbol: 'AMD', qty: 5, avgPrice: 120 },
      { symbol: 'NVDA', qty: 2, avgPrice: 900 },
    ];

    // Act
    const decision = decide('adopt', ours, broker, ['MSFT']);

    // Assess
    expect(decision.drift.map((drift) => drift.symbol)).toEqual(['AMD', 'MSFT', 'NVDA']);
    expect(decision.actions).toEqual([]);
    expect(decision.deferred).toEqual([
      { symbol: 'AMD', reason: 'PENDING_RESERVATION' },
      { symbol: 'MSFT', reason: 'UNSETTLED_ORDERS' },
      { symbol: 'NVDA', reason: 'PENDING_RESERVATION' },
    ]);
  });

  it('halts once, naming every symbol whose drift nothing pending explains, under halt', () => {
    // Prepare
    const ours = { symbols: { AAPL: { qty: 2, avgPrice: 100 }, MSFT: { qty: 1, avgPrice: 400 } } };
    const broker = [{ symbol: 'TSLA', qty: 1, avgPrice: 250 }];

    // Act
    const decision = decide('halt', ours, broker, ['MSFT']);

    // Assess
    expect(decision.actions).toEqual([{ kind: 'HALT_TRADING', symbols: ['AAPL', 'TSLA'] }]);
    expect(decision.deferred).toEqual([{ symbol: 'MSFT', reason: 'UNSETTLED_ORDERS' }]);
  });

  it('does not halt when all drift is in symbols with unsettled orders', () => {
    // Prepare
    const ours = { symbols: { MSFT: { qty: 1, avgPrice: 400 } } };

    // Act
    const decision = decide('halt', ours, [], ['MSFT']);

    // Assess
    expect(decision.drift).toHaveLength(1);
    expect(decision.actions).toEqual([]);
  });
});

describe('planning an adoption', () => {
  it('takes the broker quantity and price, keeps realized P&L, and moves committed and exposure by the difference', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 2, avgPrice: 100, realizedPnl: 37.5 } } });

    // Act
    const plan = planAdoption('AAPL', book.symbols.AAPL, { qty: 5, avgPrice: 102 }, AT);

    // Assess
    expect(plan).toMatchObject({
      symbol: 'AAPL',
      position: { symbol: 'AAPL', qty: 5, avgPrice: 102, realizedPnl: 37.5, updatedAt: AT },
      committedBefore: 2,
      reducingBefore: 0,
      committedDelta: 3,
      exposureDelta: 310,
      opensSymbol: true,
      closesSymbol: false,
    });
  });

  it('closes the symbol when the broker is flat', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: -4, avgPrice: 50 } } });

    // Act
    const plan = planAdoption('AAPL', book.symbols.AAPL, { qty: 0, avgPrice: 0 }, AT);

    // Assess
    expect(plan).toMatchObject({
      position: { qty: 0, avgPrice: 0 },
      committedDelta: -4,
      exposureDelta: -200,
      opensSymbol: false,
      closesSymbol: true,
    });
  });

  it('starts from a flat position for a symbol we never held', () => {
    // Act
    const plan = planAdoption('TSLA', undefined, { qty: -2, avgPrice: 250 }, AT);

    // Assess
    expect(plan).toMatchObject({
      position: { symbol: 'TSLA', qty: -2, avgPrice: 250, realizedPnl: 0, commissions: 0 },
      committedBefore: 0,
      committedDelta: 2,
      exposureDelta: 500,
      applied: {},
    });
  });
});

describe('planning reservation repairs', () => {
  const QUIET_MS = 120_000;
  const later = new Date(NOW.getTime() + QUIET_MS);

  it('resets a flat symbol nothing holds and releases the pending notional once the book is quiet', () => {
    // Prepare: a reservation of 4 GOOG at 150 whose order was never recorded
    const book = aBook({
      symbols: { GOOG: { qty: 0, committed: 4 } },
      exposure: 600,
      pendingNotional: 600,
    });

    // Act
    const repair = planReservationRepair(book, new Set(), later, QUIET_MS);

    // Assess
    expect(repair).toEqual({
      symbols: [{ symbol: 'GOOG', committed: { from: 4, to: 0 }, reducing: { from: 0, to: 0 } }],
      closes: ['GOOG'],
      pendingNotional: { from: 600, to: 0, exposureDelta: -600 },
      count: 2,
    });
  });

  it('plans nothing while the book changed within the quiet period', () => {
    // Prepare
    const book = aBook({ symbols: { GOOG: { qty: 0, committed: 4 } }, pendingNotional: 600 });

    // Act
    const repair = planReservationRepair(book, new Set(), new Date(later.getTime() - 1), QUIET_MS);

    // Assess
    expect(repair).toBeUndefined();
  });

  it('resets a stale reducing reservation on a held position to what the position holds', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 5, avgPrice: 100, committed: 5, reducing: 2 } } });

    // Act
    const repair = planReservationRepair(book, new Set(), later, QUIET_MS);

    // Assess
    expect(repair).toEqual({
      symbols: [{ symbol: 'AAPL', committed: { from: 5, to: 5 }, reducing: { from: 2, to: 0 } }],
      closes: [],
      pendingNotional: undefined,
      count: 1,
    });
  });

  it('leaves symbols with unsettled orders alone, and the pending notional while any order is unsettled', () => {
    // Prepare
    const book = aBook({ symbols: { MSFT: { qty: 0, committed: 3 } }, pendingNotional: 1200 });

    // Act
    const repair = planReservationRepair(book, new Set(['MSFT']), later, QUIET_MS);

    // Assess
    expect(repair).toBeUndefined();
  });

  it('plans nothing for a book whose counters match its positions', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 5, avgPrice: 100 }, MSFT: { qty: -2, avgPrice: 400 } } });

    // Act
    const repair = planReservationRepair(book, new Set(), later, QUIET_MS);

    // Assess
    expect(repair).toBeUndefined();
  });
});

describe('day order expiry', () => {
  // New York is UTC-5 in late November 2026; 2026-11-27 closes at 13:00; 2026-11-26 is a holiday.
  const MONDAY_10_00 = new Date('2026-11-23T15:00:00Z');
  const cases: Array<{ name: string; placed: string; now: string; expired: boolean }> = [
    {
      name: 'is working before the close',
      placed: '2026-11-23T15:00:00Z',
      now: '2026-11-23T20:59:00Z',
      expired: false,
    },
    {
      name: 'expires at the close',
      placed: '2026-11-23T15:00:00Z',
      now: '2026-11-23T21:00:00Z',
      expired: true,
    },
    {
      name: 'expires the next day',
      placed: '2026-11-23T15:00:00Z',
      now: '2026-11-24T14:00:00Z',
      expired: true,
    },
    {
      name: 'placed after the close, lives to the next close',
      placed: '2026-11-23T22:30:00Z',
      now: '2026-11-24T20:00:00Z',
      expired: false,
    },
    {
      name: 'placed after the close, expires at the next close',
      placed: '2026-11-23T22:30:00Z',
      now: '2026-11-24T21:00:00Z',
      expired: true,
    },
    {
      name: 'expires at 13:00 on an early-close day',
      placed: '2026-11-27T15:00:00Z',
      now: '2026-11-27T18:00:00Z',
      expired: true,
    },
    {
      name: 'placed on a holiday, lives to the next session',
      placed: '2026-11-26T16:00:00Z',
      now: '2026-11-27T17:59:00Z',
      expired: false,
    },
    {
      name: 'placed on Saturday, lives through Monday until the close',
      placed: '2026-11-21T17:00:00Z',
      now: '2026-11-23T20:00:00Z',
      expired: false,
    },
  ];

  for (const c of cases) {
    it(`a day order ${c.name}`, () => {
      // Act
      const expired = dayOrderExpired(
        { symbol: 'AAPL', timeInForce: 'day' },
        new Date(c.placed),
        new Date(c.now),
        market,
      );

      // Assess
      expect(expired).toBe(c.expired);
    });
  }

  it('never expires a crypto day order or a good-till-cancelled order by session', () => {
    // Prepare
    const nextWeek = new Date('2026-11-30T21:00:00Z');

    // Act
    const crypto = dayOrderExpired({ symbol: 'BTC/USD', timeInForce: 'day' }, MONDAY_10_00, nextWeek, market);
    const gtc = dayOrderExpired({ symbol: 'AAPL', timeInForce: 'gtc' }, MONDAY_10_00, nextWeek, market);

    // Assess
    expect(crypto).toBe(false);
    expect(gtc).toBe(false);
  });

  it('names the session that ends the order: the next business day after a Friday close', () => {
    // Act
    const end = sessionEnd(new Date('2026-11-20T21:30:00Z'), market.calendar);

    // Assess
    expect(end).toEqual({ day: '2026-11-23', close: 16 * 60 });
  });
});

describe('the drift policy setting', () => {
  it('is alert unless reconcile.driftPolicy says adopt or halt', () => {
    // Act
    const byDefault = loadConfig({}).reconcile.driftPolicy;
    const adopt = loadConfig({ PINEBRIDGE__RECONCILE__DRIFT_POLICY: 'adopt' }).reconcile.driftPolicy;

    // Assess
    expect(byDefault).toBe('alert');
    expect(adopt).toBe('adopt');
    expect(() => loadConfig({ PINEBRIDGE__RECONCILE__DRIFT_POLICY: 'ignore' })).toThrow(
      /reconcile\.driftPolicy/,
    );
  });
});
