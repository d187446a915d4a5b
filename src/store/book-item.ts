/**
 * The book item's layout: its attribute names and how it is parsed back into a Book. The per-symbol
 * and per-strategy parts are attributes of their own (`p#AAPL`, `c#AAPL`, `se#trend`, ...) so that a
 * conditional write can ADD to each without rewriting a map.
 */

import type { Book } from '../domain/book.ts';
import * as z from '../zod.ts';

/** The position map `p#<SYMBOL>`: the position, its version (`ver`, absent before the first write) and marks. */
const PositionItem = z.object({
  symbol: z.string(),
  qty: z.number(),
  avgPrice: z.number(),
  realizedPnl: z.number(),
  commissions: z.number(),
  lastPrice: z.optional(z.number()),
  openedOn: z.optional(z.string()),
  updatedAt: z.string(),
  ver: z._default(z.number(), 0),
  applied: z._default(
    z.record(z.string(), z.object({ fillIds: z.array(z.string()), released: z.boolean(), at: z.string() })),
    {},
  ),
});

const BookItem = z.looseObject({
  accountId: z.string(),
  tradingState: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  openSymbols: z.optional(z.set(z.string())),
  exposure: z._default(z.number(), 0),
  pendingNotional: z._default(z.number(), 0),
  pnlDay: z.optional(z.string()),
  dayRealizedPnl: z._default(z.number(), 0),
  broker: z.optional(
    z.object({ equity: z.number(), cash: z.number(), buyingPower: z.number(), at: z.string() }),
  ),
  fillsVersion: z._default(z.number(), 0),
  updatedAt: z.string(),
});

const Count = z.number();
const Time = z.string();

/** Attribute names of the per-symbol and per-strategy parts of the book. */
export const attr = {
  position: (symbol: string) => `p#${symbol}`,
  committed: (symbol: string) => `c#${symbol}`,
  reducing: (symbol: string) => `r#${symbol}`,
  lastAlert: (symbol: string) => `lt#${symbol}`,
  strategyExposure: (strategy: string) => `se#${strategy}`,
  cooldown: (strategy: string) => `cool#${strategy}`,
  rate: (bucket: string) => `rate#${bucket}`,
  dayTrades: (day: string) => `dt#${day}`,
};

/** Parses the book item, gathering the per-symbol attributes. */
export function parseBook(item: Record<string, unknown>): Book {
  const base = BookItem.parse(item);
  const symbols: Book['symbols'] = {};
  const part = (symbol: string) => {
    symbols[symbol] ??= {
      position: { symbol, qty: 0, avgPrice: 0, realizedPnl: 0, commissions: 0, updatedAt: base.updatedAt },
      version: 0,
      committed: 0,
      reducing: 0,
      applied: {},
    };
    return symbols[symbol];
  };
  const strategies: Book['strategies'] = {};
  const strategy = (name: string) => {
    strategies[name] ??= { exposure: 0 };
    return strategies[name];
  };
  const rates: Book['rates'] = {};
  const lastAlertAt: Book['lastAlertAt'] = {};
  const dayTrades: Book['dayTrades'] = {};
  for (const [name, value] of Object.entries(item)) {
    const hash = name.indexOf('#');
    if (hash < 0) continue;
    const prefix = name.slice(0, hash);
    const key = name.slice(hash + 1);
    if (prefix === 'p') {
      const { applied, ver, ...position } = PositionItem.parse(value);
      const entry = part(key);
      entry.position = position;
      entry.version = ver;
      entry.applied = applied;
    } else if (prefix === 'c') part(key).committed = Count.parse(value);
    else if (prefix === 'r') part(key).reducing = Count.parse(value);
    else if (prefix === 'lt') lastAlertAt[key] = Time.parse(value);
    else if (prefix === 'se') strategy(key).exposure = Count.parse(value);
    else if (prefix === 'cool') strategy(key).lastFillAt = Time.parse(value);
    else if (prefix === 'rate') rates[key] = Count.parse(value);
    else if (prefix === 'dt') dayTrades[key] = Count.parse(value);
  }
  return {
    accountId: base.accountId,
    tradingState: base.tradingState,
    openSymbols: [...(base.openSymbols ?? [])].sort(),
    exposure: base.exposure,
    pendingNotional: base.pendingNotional,
    pnlDay: base.pnlDay,
    dayRealizedPnl: base.dayRealizedPnl,
    symbols,
    strategies,
    rates,
    lastAlertAt,
    dayTrades,
    broker: base.broker,
    fillsVersion: base.fillsVersion,
    updatedAt: base.updatedAt,
  };
}
