import { describe, expect, it } from 'vitest';
import { emptyBook, heldQty, rateBuckets, realizedOn, tradingDay } from '../../src/domain/book.ts';
import { AT, aBook, NOW, TODAY } from './builders.ts';

const NEW_YORK = 'America/New_York';

describe('tradingDay', () => {
  it('is still the previous day in New York just before midnight there in winter', () => {
    // Prepare
    const now = new Date('2026-01-15T04:59:59Z');

    // Act
    const day = tradingDay(now, NEW_YORK);

    // Assess
    expect(day).toBe('2026-01-14');
  });

  it('turns over at midnight in New York in winter, five hours after midnight UTC', () => {
    // Prepare
    const now = new Date('2026-01-15T05:00:00Z');

    // Act
    const day = tradingDay(now, NEW_YORK);

    // Assess
    expect(day).toBe('2026-01-15');
  });

  it('turns over at midnight in New York in summer, four hours after midnight UTC', () => {
    // Prepare
    const before = new Date('2026-07-01T03:59:59Z');
    const after = new Date('2026-07-01T04:00:00Z');

    // Act
    const days = [tradingDay(before, NEW_YORK), tradingDay(after, NEW_YORK)];

    // Assess
    expect(days).toEqual(['2026-06-30', '2026-07-01']);
  });

  it('keeps the New York day across midnight UTC', () => {
    // Prepare
    const lateEvening = new Date('2026-03-10T23:30:00Z');
    const afterUtcMidnight = new Date('2026-03-11T00:30:00Z');

    // Act
    const days = [tradingDay(lateEvening, NEW_YORK), tradingDay(afterUtcMidnight, NEW_YORK)];

    // Assess
    expect(days).toEqual(['2026-03-10', '2026-03-10']);
  });

  it('formats the day as YYYY-MM-DD in UTC too', () => {
    // Prepare
    const now = new Date('2026-12-31T23:59:59Z');

    // Act
    const day = tradingDay(now, 'UTC');

    // Assess
    expect(day).toBe('2026-12-31');
  });
});

describe('realizedOn', () => {
  it('is the day figure when the book belongs to that day', () => {
    // Prepare
    const book = aBook({ pnlDay: '2026-03-10', dayRealizedPnl: -125.5 });

    // Act
    const pnl = realizedOn(book, '2026-03-10');

    // Assess
    expect(pnl).toBe(-125.5);
  });

  it('is zero when the book figure belongs to another day', () => {
    // Prepare
    const book = aBook({ pnlDay: '2026-03-09', dayRealizedPnl: -125.5 });

    // Act
    const pnl = realizedOn(book, '2026-03-10');

    // Assess
    expect(pnl).toBe(0);
  });

  it('is zero for a book that has never realized anything', () => {
    // Prepare
    const book = emptyBook('acct', 'ACTIVE', AT);

    // Act
    const pnl = realizedOn(book, '2026-03-10');

    // Assess
    expect(pnl).toBe(0);
  });
});

describe('heldQty', () => {
  it('is the signed position quantity of a known symbol and zero for an unknown one', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: -3, avgPrice: 100 } } });

    // Act
    const quantities = [heldQty(book, 'AAPL'), heldQty(book, 'MSFT')];

    // Assess
    expect(quantities).toEqual([-3, 0]);
  });
});

describe('emptyBook', () => {
  it('starts with no positions, strategies, counters, alerts or day trades', () => {
    // Prepare
    const accountId = 'acct';

    // Act
    const book = emptyBook(accountId, 'REDUCING', AT);

    // Assess
    expect(book).toEqual({
      accountId: 'acct',
      tradingState: 'REDUCING',
      openSymbols: [],
      exposure: 0,
      pendingNotional: 0,
      dayRealizedPnl: 0,
      symbols: {},
      strategies: {},
      rates: {},
      lastAlertAt: {},
      dayTrades: {},
      fillsVersion: 0,
      updatedAt: AT,
    });
  });
});

describe('rateBuckets', () => {
  it('names the UTC minute and the trading day, account-wide and for the strategy', () => {
    // Prepare
    const strategy = 'trend';

    // Act
    const buckets = rateBuckets(NOW, TODAY, strategy);

    // Assess
    expect(buckets).toEqual({
      minute: 'm:2026-11-23T15:00',
      day: 'd:2026-11-23',
      strategyMinute: 'sm:trend:2026-11-23T15:00',
      strategyDay: 'sd:trend:2026-11-23',
    });
  });

  it('names no strategy buckets for an order without a strategy', () => {
    // Prepare
    const lateInTheMinute = new Date('2026-11-23T15:00:59.999Z');

    // Act
    const buckets = rateBuckets(lateInTheMinute, TODAY, undefined);

    // Assess
    expect(buckets).toEqual({
      minute: 'm:2026-11-23T15:00',
      day: 'd:2026-11-23',
      strategyMinute: undefined,
      strategyDay: undefined,
    });
  });
});
