/**
 * The book: one account's risk state, kept as one DynamoDB item so that every limit can be checked
 * and reserved by a single conditional write.
 *
 * Invariants, per symbol:
 *   committed = |position qty| + quantity of unfilled orders that open or add
 *   reducing  = quantity of unfilled orders that reduce
 * and for the account:
 *   exposure    = sum of |qty| x average price over positions, plus the reserved notional of unfilled
 *                 opening orders (quantity x the alert's price)
 *   openSymbols = symbols with a position, or with an order that may open one
 *   dayRealizedPnl is the realized P&L (net of commissions) of trading day `pnlDay`.
 * Reservations only add to these counters. Settlement is serialized per symbol, by the symbol's
 * `version`; what it changes account-wide it adds (`ADD`), so settlements of different symbols never
 * wait for each other. `fillsVersion` counts every settlement, for the writes that must see none
 * happen in between (adopting a broker position, repairing reservations).
 */
import type { ClientOrderId } from './ids.ts';
import { localParts } from './market-hours.ts';
import type { Position } from './position.ts';

/** ACTIVE trades; REDUCING lets only position-reducing orders pass; HALTED lets nothing pass. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/**
 * Which fills of one order have been applied to the position, and whether its reservation was
 * released. Our order record says the same once it is written after the book, so a mark only bridges
 * the moment between the two writes (and a crash there); it is kept an hour (src/domain/settlement.ts).
 */
export interface AppliedMark {
  fillIds: string[];
  released: boolean;
  at: string;
}

/** One symbol's part of the book. */
export interface SymbolBook {
  position: Position;
  /** Bumped by every write of the position: settlements of the symbol are conditional on it (0: never written). */
  version: number;
  committed: number;
  reducing: number;
  applied: Record<string, AppliedMark>;
}

/** The broker's account figures as last seen (refreshed by every reconcile pass). */
export interface BrokerAccountSnapshot {
  equity: number;
  cash: number;
  buyingPower: number;
  at: string;
}

/** A strategy's part of the book. */
export interface StrategyBook {
  /** Gross notional of the strategy's positions and unfilled opening orders. */
  exposure: number;
  /** When an order of the strategy last filled (for the cooldown). */
  lastFillAt?: string | undefined;
}

/** One account's risk state. */
export interface Book {
  accountId: string;
  tradingState: TradingState;
  openSymbols: string[];
  exposure: number;
  /** Reserved notional of unfilled opening orders: buying power they will use. */
  pendingNotional: number;
  pnlDay?: string | undefined;
  dayRealizedPnl: number;
  symbols: Record<string, SymbolBook>;
  strategies: Record<string, StrategyBook>;
  /** Order counters by bucket: `m:<minute>`, `d:<day>`, `sm:<strategy>:<minute>`, `sd:<strategy>:<day>`. */
  rates: Record<string, number>;
  /** Per symbol, the time of the newest alert applied (for out-of-order protection). */
  lastAlertAt: Record<string, string>;
  /** Day trades (reducing a position opened the same trading day) counted per trading day. */
  dayTrades: Record<string, number>;
  broker?: BrokerAccountSnapshot | undefined;
  fillsVersion: number;
  updatedAt: string;
}

/** Whether an order opens/adds to a position or reduces it. */
export type OrderEffect = 'open' | 'reduce';

/** An order our records hold, with what it reserved in the book. */
export interface BookOrder {
  clientOrderId: ClientOrderId;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  effect: OrderEffect;
  /** The price used for the reservation (0 when the alert had none). */
  referencePrice: number;
  /** The strategy the order belongs to, when the alert named one. */
  strategy?: string | undefined;
}

/** A new, empty book. */
export function emptyBook(accountId: string, tradingState: TradingState, at: string): Book {
  return {
    accountId,
    tradingState,
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
    updatedAt: at,
  };
}

/** The signed quantity we hold in `symbol` (0 when flat or unknown). */
export function heldQty(book: Book, symbol: string): number {
  return book.symbols[symbol]?.position.qty ?? 0;
}

/** The trading day of `now` in `timeZone`, as YYYY-MM-DD: the daily-loss window. */
export function tradingDay(now: Date, timeZone: string): string {
  return localParts(now, timeZone).day;
}

/** Realized P&L of `day` (0 when the book's figure belongs to another day). */
export function realizedOn(book: Book, day: string): number {
  return book.pnlDay === day ? book.dayRealizedPnl : 0;
}

/** Rate-counter bucket names for `now`: the minute and the day, account-wide and per strategy. */
export function rateBuckets(now: Date, day: string, strategy: string | undefined) {
  const minute = now.toISOString().slice(0, 16);
  return {
    minute: `m:${minute}`,
    day: `d:${day}`,
    strategyMinute: strategy === undefined ? undefined : `sm:${strategy}:${minute}`,
    strategyDay: strategy === undefined ? undefined : `sd:${strategy}:${day}`,
  };
}
