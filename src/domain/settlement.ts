/**
 * Settlement: applying a broker's report of one order to the book, pure and idempotent. Fills are
 * applied once each, by fill id. When the order is terminal, what it reserved and did not fill is
 * released, once. What was applied before is known from two places: our order record (written after
 * the book, so every fill it holds is applied) and the symbol's AppliedMark (written with the book, so
 * it covers the moment before the record caught up, and is dropped once it has). The result is a set
 * of deltas and new values that the store writes under the symbol's `version`.
 */
import type { Book, BookOrder, SymbolBook } from './book.ts';
import { isTerminal, type OrderStatusReport } from './order.ts';
import { applyFill, flatPosition, type Position, round, roundMoney } from './position.ts';

/** What settling one report changes in the book. */
export interface Settlement {
  symbol: string;
  /** The symbol's new position and applied marks, and the symbol version the plan was made against. */
  position: Position;
  applied: SymbolBook['applied'];
  version: number;
  exposureDelta: number;
  /** Change of the reserved notional of unfilled opening orders. */
  pendingNotionalDelta: number;
  /** The order's strategy, its exposure change, and the time of its newest fill when it filled now. */
  strategy?: string | undefined;
  strategyExposureDelta: number;
  strategyLastFillAt?: string | undefined;
  /** Rate counters of past minutes and days, to remove. */
  staleRates: string[];
  /** Day-trade counters older than ten days, to remove. */
  staleDayTrades: string[];
  committedDelta: number;
  reducingDelta: number;
  realizedDelta: number;
  /** The new P&L day and its realized figure; `sameDay` when the book's P&L day was already `pnlDay`. */
  pnlDay: string;
  dayRealizedPnl: number;
  sameDay: boolean;
  /** True when the symbol is flat with nothing pending, so it no longer counts as open. */
  closesSymbol: boolean;
  /** The committed quantity the plan was computed from (the store conditions on it when closing). */
  committedBefore: number;
  /** False when the report held nothing new: no write needed. */
  changed: boolean;
}

/**
 * How long applied marks are kept. A mark matters only until our order record is written after the
 * book: at once, or at the next reconcile pass (every minute) after a crash between the two writes.
 * An hour keeps the book's size to the orders of the last hour, whatever the history.
 */
export const MARK_RETENTION_MS = 3600 * 1000;

/**
 * How long a mark is kept after this process's write of its order record was acknowledged. A
 * settlement planned from a copy of the record that predates that write, with a book read after the
 * mark is gone, would apply the fills twice. So a settlement re-reads the record whenever its copy
 * is older than `RECORD_COPY_MAX_AGE_MS` (a copy from the open-orders index, which lags the table,
 * or one held through a slow broker call): a copy without the fills was read before the write, less
 * than that long before the book, and the mark outlives the write by more.
 */
export const CAUGHT_UP_GRACE_MS = 5 * 1000;

/** The oldest copy of an order record (by its `updatedAt`) a settlement writes the book from. */
export const RECORD_COPY_MAX_AGE_MS = 2 * 1000;

/** What our order record says was applied: the fill ids it holds, and whether it is settled. */
export interface RecordedProgress {
  fillIds: readonly string[];
  released: boolean;
}

const NOTHING_RECORDED: RecordedProgress = { fillIds: [], released: false };
const NONE_CAUGHT_UP: ReadonlyMap<string, number> = new Map();

/** Plans the book changes for `report` about `order`. */
export function settle(
  book: Book,
  order: BookOrder,
  report: OrderStatusReport,
  today: string,
  now: Date,
  recorded: RecordedProgress = NOTHING_RECORDED,
  caughtUp: ReadonlyMap<string, number> = NONE_CAUGHT_UP,
): Settlement {
  const at = now.toISOString();
  const symbolBook = book.symbols[order.symbol];
  const mark = mergedMark(symbolBook?.applied[order.clientOrderId], recorded, at);
  const applied = pruneMarks(symbolBook?.applied ?? {}, now, caughtUp);
  let position = symbolBook?.position ?? flatPosition(order.symbol, at);
  let exposureDelta = 0;
  let pendingNotionalDelta = 0;
  let committedDelta = 0;
  let reducingDelta = 0;
  let realizedDelta = 0;
  const seen = new Set(mark.fillIds);
  const fillIds = [...mark.fillIds];

  for (const fill of report.fills) {
    if (seen.has(fill.fillId)) continue;
    seen.add(fill.fillId);
    fillIds.push(fill.fillId);
    const heldBefore = Math.abs(position.qty);
    const effect = applyFill(position, { ...fill, at: fill.filledAt });
    position = effect.openedQty > 0 ? { ...effect.position, openedOn: today } : effect.position;
    realizedDelta += effect.realized;
    const heldChange = Math.abs(position.qty) - heldBefore;
    exposureDelta += effect.openedQty * fill.price - effect.closedCost;
    if (order.effect === 'open') {
      exposureDelta -= fill.qty * order.referencePrice;
      pendingNotionalDelta -= fill.qty * order.referencePrice;
      committedDelta += heldChange - fill.qty;
    } else {
      committedDelta += heldChange;
      reducingDelta -= fill.qty;
    }
  }

  const filledQty = round(report.fills.reduce((sum, fill) => sum + fill.qty, 0));
  let released = mark.released;
  if (isTerminal(report.status) && !released) {
    const unfilled = Math.max(0, round(order.qty - filledQty));
    if (order.effect === 'open') {
      committedDelta -= unfilled;
      exposureDelta -= unfilled * order.referencePrice;
      pendingNotionalDelta -= unfilled * order.referencePrice;
    } else {
      reducingDelta -= unfilled;
    }
    released = true;
  }

  const changed = fillIds.length !== mark.fillIds.length || released !== mark.released;
  const sameDay = book.pnlDay === today;
  const dayRealizedPnl = roundMoney((sameDay ? book.dayRealizedPnl : 0) + realizedDelta);
  const committedBefore = symbolBook?.committed ?? 0;
  const reducingAfter = round((symbolBook?.reducing ?? 0) + reducingDelta);
  const committedAfter = round(committedBefore + committedDelta);
  const newFills = fillIds.length > mark.fillIds.length;
  return {
    symbol: order.symbol,
    position,
    applied: { ...applied, [order.clientOrderId]: { fillIds, released, at } },
    version: symbolBook?.version ?? 0,
    exposureDelta: roundMoney(exposureDelta),
    pendingNotionalDelta: roundMoney(pendingNotionalDelta),
    strategy: order.strategy,
    strategyExposureDelta: order.strategy === undefined ? 0 : roundMoney(exposureDelta),
    strategyLastFillAt:
      order.strategy !== undefined && newFills
        ? later(newestFillAt(report, at), book.strategies[order.strategy]?.lastFillAt)
        : undefined,
    staleRates: staleRateBuckets(book.rates, now, today),
    staleDayTrades: Object.keys(book.dayTrades).filter((day) => day < daysBefore(today, 10)),
    committedDelta: round(committedDelta),
    reducingDelta: round(reducingDelta),
    realizedDelta: roundMoney(realizedDelta),
    pnlDay: today,
    dayRealizedPnl,
    sameDay,
    closesSymbol: position.qty === 0 && committedAfter <= 0 && reducingAfter <= 0,
    committedBefore,
    changed,
  };
}

/** The book's mark joined with what the order record holds (either may be ahead after a crash). */
function mergedMark(
  mark: SymbolBook['applied'][string] | undefined,
  recorded: RecordedProgress,
  at: string,
): SymbolBook['applied'][string] {
  if (mark === undefined) return { fillIds: [...recorded.fillIds], released: recorded.released, at };
  const fillIds = [...mark.fillIds];
  for (const fillId of recorded.fillIds) if (!fillIds.includes(fillId)) fillIds.push(fillId);
  return { fillIds, released: mark.released || recorded.released, at: mark.at };
}

/**
 * The marks still needed: those of the last hour, less those whose order record this process wrote,
 * after their last settlement, at least `CAUGHT_UP_GRACE_MS` ago (`caughtUp`).
 */
function pruneMarks(
  applied: SymbolBook['applied'],
  now: Date,
  caughtUp: ReadonlyMap<string, number>,
): SymbolBook['applied'] {
  const expired = now.getTime() - MARK_RETENTION_MS;
  const settledIn = now.getTime() - CAUGHT_UP_GRACE_MS;
  return Object.fromEntries(
    Object.entries(applied).filter(([id, mark]) => {
      const at = Date.parse(mark.at);
      const written = caughtUp.get(id);
      return at >= expired && !(written !== undefined && written <= settledIn);
    }),
  );
}

/** Rate buckets of minutes before `now`'s minute (UTC) and of days before `today`. */
function staleRateBuckets(rates: Book['rates'], now: Date, today: string): string[] {
  const minute = now.toISOString().slice(0, 16);
  return Object.keys(rates).filter((bucket) =>
    bucket.startsWith('m:') || bucket.startsWith('sm:')
      ? bucket.slice(-16) < minute
      : bucket.slice(-10) < today,
  );
}

/** The calendar day `days` before `day`. */
function daysBefore(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

/** When the newest fill of the report happened (the cooldown runs from the fill, not from settlement). */
function newestFillAt(report: OrderStatusReport, fallback: string): string {
  return (
    report.fills.reduce((latest, fill) => (fill.filledAt > latest ? fill.filledAt : latest), '') || fallback
  );
}

/** The later of two ISO times (reports of different orders may settle out of order). */
function later(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a;
}
