/**
 * Applies a broker's report of one of our orders, when the order state machine allows the move
 * (src/domain/order-state.ts; refused moves are logged and not applied): first to the book
 * (position, P&L, reservations; idempotent by fill id, serialized by the symbol's version), then
 * to the order record. That order matters: every fill the record holds is applied to the book, and
 * if we stop between the two writes, the order is still unsettled, reconciliation reports it again,
 * and the book's applied mark makes the second application a no-op.
 */
import type { Book, TradingState } from '../domain/book.ts';
import { tradingDay } from '../domain/book.ts';
import { isTerminal, type OrderStatusReport } from '../domain/order.ts';
import { transition } from '../domain/order-state.ts';
import { RECORD_COPY_MAX_AGE_MS, settle } from '../domain/settlement.ts';
import type { BookStore } from '../store/book-store.ts';
import type { OrderEvent, OrderRecord, OrderStore } from '../store/order-store.ts';
import type { Logger } from './logger.ts';

/** What the settler needs. */
export interface SettlerDeps {
  book: BookStore;
  orders: OrderStore;
  now: () => Date;
  timeZone: string;
  log: Logger;
  /** When realized loss today reaches `maxDailyLoss`, trading switches to `switchTo` by itself. */
  dailyLossGuard?: { maxDailyLoss?: number | undefined; switchTo: 'REDUCING' | 'HALTED' } | undefined;
}

const SETTLE_ATTEMPTS = 200;

/**
 * The order record after a report, the book as the settlement left it (when it wrote one), and the
 * write of the order record, under way: the book is already settled when it resolves or fails.
 */
export interface Settled {
  order: OrderRecord;
  book?: Book | undefined;
  recording: Promise<void>;
}

/** Applies `report` to the book and the order record; returns the updated record. */
export async function settleReport(
  deps: SettlerDeps,
  order: OrderRecord,
  report: OrderStatusReport,
  source: OrderEvent['source'],
  snapshot?: Book,
): Promise<OrderRecord> {
  const settled = await settleReportWithBook(deps, order, report, source, snapshot);
  await settled.recording;
  return settled.order;
}

/**
 * `settleReport` that answers once the book is settled, with the book as it left it (so the caller
 * needs no read) and the order record's write still under way (so it can overlap the caller's next
 * write). If that write fails, the order stays unsettled in our records and the next reconcile pass
 * writes it; the book's applied mark keeps the book from counting the report twice.
 */
export async function settleReportWithBook(
  deps: SettlerDeps,
  order: OrderRecord,
  report: OrderStatusReport,
  source: OrderEvent['source'],
  snapshot?: Book,
): Promise<Settled> {
  const move = transition(order.status, report.status);
  if (move.kind === 'refused') {
    // A stale or contradictory report: nothing of it is applied, neither to the book nor the order.
    deps.log.warn('order transition refused', {
      clientOrderId: order.clientOrderId,
      from: move.from,
      to: move.to,
      reason: move.reason,
      source,
    });
    return { order, recording: Promise.resolve() };
  }
  deps.book.recordPending(order.clientOrderId);
  const book = await applyToBook(deps, order, report, snapshot);
  if (book !== undefined) await guardDailyLoss(deps, book);
  const now = deps.now();
  const at = now.toISOString();
  const statusChanged = move.kind === 'moved';
  const updated: OrderRecord = {
    ...order,
    status: report.status,
    brokerOrderId: report.brokerOrderId ?? order.brokerOrderId,
    filledQty: report.filledQty,
    avgFillPrice: report.avgFillPrice,
    fills: report.fills,
    reason: report.reason ?? order.reason,
    settled: isTerminal(report.status),
    events: statusChanged
      ? [...order.events, { status: report.status, at, source, reason: report.reason }]
      : order.events,
    updatedAt: at,
  };
  const fillsChanged = report.fills.length !== order.fills.length;
  const recordChanged =
    statusChanged ||
    fillsChanged ||
    updated.settled !== order.settled ||
    updated.brokerOrderId !== order.brokerOrderId;
  const written = recordChanged ? deps.orders.update(updated) : Promise.resolve();
  const recording = written.then(() => deps.book.recordWritten(order.clientOrderId, deps.now().getTime()));
  return { order: updated, book, recording };
}

/** What an order record says was applied to the book. */
function recordedIn(order: OrderRecord): { fillIds: string[]; released: boolean } {
  return { fillIds: order.fills.map((fill) => fill.fillId), released: order.settled };
}

async function applyToBook(
  deps: SettlerDeps,
  order: OrderRecord,
  report: OrderStatusReport,
  snapshot: Book | undefined,
): Promise<Book | undefined> {
  let book = snapshot ?? (await deps.book.get());
  let recorded = recordedIn(order);
  let copiedAt = Date.parse(order.updatedAt);
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt += 1) {
    const now = deps.now();
    const today = tradingDay(now, deps.timeZone);
    let plan = settle(book, order, report, today, now, recorded, deps.book.caughtUp());
    if (!plan.changed) return undefined;
    if (now.getTime() - copiedAt > RECORD_COPY_MAX_AGE_MS) {
      // An old copy may lack fills whose mark is already gone: plan from the record as it is now
      // (read after the book, so whatever the book no longer marks, the record holds).
      const current = await deps.orders.get(order.clientOrderId);
      copiedAt = deps.now().getTime();
      if (current !== undefined) recorded = recordedIn(current);
      plan = settle(book, order, report, today, now, recorded, deps.book.caughtUp());
      if (!plan.changed) return undefined;
    }
    const reducingBefore = book.symbols[order.symbol]?.reducing ?? 0;
    const written = await deps.book.settle(plan, reducingBefore, now);
    if (written !== undefined) return written;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
    book = await deps.book.get();
  }
  throw new Error(`could not settle ${order.clientOrderId}: the book stayed contended`);
}

/** A realized loss at the daily limit switches trading to reduce-only (or halted) by itself. */
async function guardDailyLoss(deps: SettlerDeps, book: Book): Promise<void> {
  const guard = deps.dailyLossGuard;
  const dayRealizedPnl = book.dayRealizedPnl;
  if (guard?.maxDailyLoss === undefined || dayRealizedPnl > -guard.maxDailyLoss) return;
  if (book.tradingState === guard.switchTo || book.tradingState === 'HALTED') return;
  const from: TradingState[] = guard.switchTo === 'HALTED' ? ['ACTIVE', 'REDUCING'] : ['ACTIVE'];
  if (await deps.book.setTradingState(guard.switchTo, deps.now(), from)) {
    deps.log.warn('daily loss limit reached: trading state switched', {
      tradingState: guard.switchTo,
      dayRealizedPnl,
      maxDailyLoss: guard.maxDailyLoss,
    });
  }
}

/** A report that ends an order nothing was filled on: the broker refused it, was never reached, or never saw it. */
export function rejectedReport(order: OrderRecord, reason: string, at: string): OrderStatusReport {
  return {
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    status: 'REJECTED',
    filledQty: 0,
    fills: [],
    reason,
    updatedAt: at,
  };
}
