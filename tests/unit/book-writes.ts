/**
 * The book store's settlement write, in memory: deltas added, new values set, stale rate and
 * day-trade counters removed. Lets unit tests apply one settlement after another the way the store does.
 */
import type { Book } from '../../src/domain/book.ts';
import { round, roundMoney } from '../../src/domain/position.ts';
import type { Settlement } from '../../src/domain/settlement.ts';

/** `book` after writing `settlement` into it. */
export function applySettlement(book: Book, settlement: Settlement): Book {
  const before = book.symbols[settlement.symbol];
  const strategies = { ...book.strategies };
  if (settlement.strategy !== undefined) {
    const strategy = strategies[settlement.strategy] ?? { exposure: 0 };
    strategies[settlement.strategy] = {
      exposure: roundMoney(strategy.exposure + settlement.strategyExposureDelta),
      lastFillAt: settlement.strategyLastFillAt ?? strategy.lastFillAt,
    };
  }
  return {
    ...book,
    exposure: roundMoney(book.exposure + settlement.exposureDelta),
    pendingNotional: roundMoney(book.pendingNotional + settlement.pendingNotionalDelta),
    pnlDay: settlement.pnlDay,
    dayRealizedPnl: settlement.dayRealizedPnl,
    openSymbols: settlement.closesSymbol
      ? book.openSymbols.filter((symbol) => symbol !== settlement.symbol)
      : book.openSymbols,
    symbols: {
      ...book.symbols,
      [settlement.symbol]: {
        position: settlement.position,
        version: settlement.version + 1,
        applied: settlement.applied,
        committed: round((before?.committed ?? 0) + settlement.committedDelta),
        reducing: round((before?.reducing ?? 0) + settlement.reducingDelta),
      },
    },
    strategies,
    dayTrades: Object.fromEntries(
      Object.entries(book.dayTrades).filter(([day]) => !settlement.staleDayTrades.includes(day)),
    ),
    rates: Object.fromEntries(
      Object.entries(book.rates).filter(([bucket]) => !settlement.staleRates.includes(bucket)),
    ),
  };
}
