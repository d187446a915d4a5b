/**
 * Reconciliation decisions, pure: what to do about a difference between our positions and the
 * broker's, which reservation counters nothing holds any more, and when a day order has outlived its
 * session. The reconcile pass does the I/O around these.
 *
 * Invariants:
 * - A missing broker report is never read as flat: these functions only run on a report the broker
 *   gave. Within a report, a symbol it does not list is flat (the port lists every non-flat position).
 * - Drift is acted on (adopted, or halted for) only in a symbol with no unsettled order and nothing
 *   reserved beyond its position (committed = |qty|, reducing = 0): an order between reservation and
 *   settlement explains drift that is not real, so such drift is reported and deferred, never acted on.
 * - Adopting replaces only the position part of the book (quantity, average price, the position's
 *   share of committed and exposure); realized P&L, commissions and applied fill marks are kept.
 * - Reservations are repaired only when the book has not changed for `quietMs`: a reservation is
 *   written just before its order record, and must not be taken for a stale one in between.
 */
import type { Book, SymbolBook } from './book.ts';
import { localParts, type MarketCalendar } from './market-hours.ts';
import type { PositionReport } from './order.ts';
import { flatPosition, type Position, round, roundMoney } from './position.ts';

/** The drift policies, per account. */
export const DRIFT_POLICIES = ['alert', 'adopt', 'halt'] as const;
/** What to do about drift: report it, take the broker's position as truth, or halt trading. */
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];

/** A difference between our position and the broker's. */
export interface PositionDrift {
  symbol: string;
  ours: number;
  broker: number;
}

/** A position's quantity and average price. */
export interface PositionFigures {
  qty: number;
  avgPrice: number;
}

/** What the policy asks for. HALT_TRADING names the symbols whose drift caused it. */
export type DriftAction =
  | { kind: 'ADOPT_POSITION'; symbol: string; from: PositionFigures; to: PositionFigures }
  | { kind: 'HALT_TRADING'; symbols: string[] };

/** Why drift in a symbol was not acted on this pass. */
export type DeferReason = 'UNSETTLED_ORDERS' | 'PENDING_RESERVATION';

/** The outcome of comparing positions. */
export interface DriftDecision {
  drift: PositionDrift[];
  actions: DriftAction[];
  /** Drift the policy would act on but left alone, because orders or reservations may explain it. */
  deferred: Array<{ symbol: string; reason: DeferReason }>;
}

/** What the decision is made from. */
export interface DriftInput {
  /** Our book's symbols: positions and what is reserved on them. */
  ours: Readonly<Record<string, SymbolBook>>;
  /** The broker's positions, as it reported them. */
  broker: readonly PositionReport[];
  /** Symbols with an order we have not settled yet. */
  unsettledSymbols: ReadonlySet<string>;
  policy: DriftPolicy;
}

/** Compares our positions with the broker's and decides what the policy does about each difference. */
export function decideDrift(input: DriftInput): DriftDecision {
  const theirs = new Map(input.broker.map((report) => [report.symbol, report]));
  const symbols = [...new Set([...theirs.keys(), ...Object.keys(input.ours)])].sort();
  const decision: DriftDecision = { drift: [], actions: [], deferred: [] };
  const actionable: string[] = [];
  for (const symbol of symbols) {
    const entry = input.ours[symbol];
    const ours = entry?.position.qty ?? 0;
    const report = theirs.get(symbol);
    const broker = report?.qty ?? 0;
    if (round(ours - broker) === 0) continue;
    decision.drift.push({ symbol, ours, broker });
    if (input.policy === 'alert') continue;
    const reason = deferReason(symbol, entry, input.unsettledSymbols);
    if (reason !== undefined) {
      decision.deferred.push({ symbol, reason });
      continue;
    }
    actionable.push(symbol);
    if (input.policy === 'adopt') {
      decision.actions.push({
        kind: 'ADOPT_POSITION',
        symbol,
        from: { qty: ours, avgPrice: entry?.position.avgPrice ?? 0 },
        to: { qty: broker, avgPrice: report?.avgPrice ?? 0 },
      });
    }
  }
  if (input.policy === 'halt' && actionable.length > 0) {
    decision.actions.push({ kind: 'HALT_TRADING', symbols: actionable });
  }
  return decision;
}

function deferReason(
  symbol: string,
  entry: SymbolBook | undefined,
  unsettled: ReadonlySet<string>,
): DeferReason | undefined {
  if (unsettled.has(symbol)) return 'UNSETTLED_ORDERS';
  if (!entry) return undefined;
  const pending = round(entry.committed - Math.abs(entry.position.qty)) !== 0 || entry.reducing !== 0;
  return pending ? 'PENDING_RESERVATION' : undefined;
}

/** The book changes that adopt the broker's position in one symbol. */
export interface PositionAdoption {
  symbol: string;
  /** The new position: the broker's quantity and average price, our realized P&L and commissions. */
  position: Position;
  applied: SymbolBook['applied'];
  /** The symbol version the plan was computed from (the store writes the next one). */
  version: number;
  /** The counters the plan was computed from (the store conditions on them). */
  committedBefore: number;
  reducingBefore: number;
  committedDelta: number;
  exposureDelta: number;
  /** The symbol now holds a position (it joins openSymbols). */
  opensSymbol: boolean;
  /** The symbol is now flat with nothing pending (it leaves openSymbols). */
  closesSymbol: boolean;
}

/** Plans adopting `to` as our position in `symbol`, given our part of the book for it. */
export function planAdoption(
  symbol: string,
  entry: SymbolBook | undefined,
  to: PositionFigures,
  at: string,
): PositionAdoption {
  const before = entry?.position ?? flatPosition(symbol, at);
  const qty = round(to.qty);
  const position: Position = { ...before, qty, avgPrice: qty === 0 ? 0 : to.avgPrice, updatedAt: at };
  const committedBefore = entry?.committed ?? 0;
  const reducingBefore = entry?.reducing ?? 0;
  const committedDelta = round(Math.abs(qty) - Math.abs(before.qty));
  const exposureDelta = roundMoney(
    Math.abs(qty) * position.avgPrice - Math.abs(before.qty) * before.avgPrice,
  );
  const committedAfter = round(committedBefore + committedDelta);
  return {
    symbol,
    position,
    applied: entry?.applied ?? {},
    version: entry?.version ?? 0,
    committedBefore,
    reducingBefore,
    committedDelta,
    exposureDelta,
    opensSymbol: qty !== 0,
    closesSymbol: qty === 0 && committedAfter <= 0 && reducingBefore <= 0,
  };
}

/** One symbol's reservation counters, reset to what its position alone holds. */
export interface CounterRepair {
  symbol: string;
  committed: { from: number; to: number };
  reducing: { from: number; to: number };
}

/** Reservation counters nothing unsettled holds any more, and what they become. */
export interface ReservationRepair {
  symbols: CounterRepair[];
  /** Flat symbols with nothing pending that still count as open: they leave openSymbols. */
  closes: string[];
  /** Account-wide reserved notional with no unsettled order at all: it goes to 0, and leaves exposure. */
  pendingNotional?: { from: number; to: 0; exposureDelta: number } | undefined;
  /** How many counters (per symbol, plus the account's pending notional) were found stale. */
  count: number;
}

/**
 * Plans resetting reservations that no unsettled order holds: per symbol without unsettled orders,
 * committed becomes |qty| and reducing 0, and a flat symbol leaves openSymbols; with no unsettled
 * order at all, pending notional becomes 0. Undefined when nothing is stale, or when the book changed
 * within `quietMs` of `now` (a reservation may be about to get its order record).
 */
export function planReservationRepair(
  book: Book,
  unsettledSymbols: ReadonlySet<string>,
  now: Date,
  quietMs: number,
): ReservationRepair | undefined {
  if (Date.parse(book.updatedAt) > now.getTime() - quietMs) return undefined;
  const symbols: CounterRepair[] = [];
  const closes: string[] = [];
  for (const symbol of [...new Set([...Object.keys(book.symbols), ...book.openSymbols])].sort()) {
    if (unsettledSymbols.has(symbol)) continue;
    const entry = book.symbols[symbol];
    const held = Math.abs(entry?.position.qty ?? 0);
    const committed = entry?.committed ?? 0;
    const reducing = entry?.reducing ?? 0;
    if (round(committed - held) !== 0 || round(reducing) !== 0) {
      symbols.push({ symbol, committed: { from: committed, to: held }, reducing: { from: reducing, to: 0 } });
    }
    if (held === 0 && book.openSymbols.includes(symbol)) closes.push(symbol);
  }
  const pendingNotional =
    unsettledSymbols.size === 0 && roundMoney(book.pendingNotional) !== 0
      ? { from: book.pendingNotional, to: 0 as const, exposureDelta: roundMoney(-book.pendingNotional) }
      : undefined;
  const count = new Set([...symbols.map((fix) => fix.symbol), ...closes]).size + (pendingNotional ? 1 : 0);
  return count === 0 ? undefined : { symbols, closes, pendingNotional, count };
}

/** The market settings day-order expiry needs. */
export interface SessionMarket {
  calendar: MarketCalendar;
  cryptoPattern: RegExp;
}

/**
 * True when a day order placed at `placedAt` has outlived its session at `now`: the first regular
 * session close at or after it was placed has passed (an order placed after the close, or on a day the
 * market is shut, lives to the next session's close). Orders of other times in force, and crypto
 * orders (the market never closes), never expire by session.
 */
export function dayOrderExpired(
  order: { symbol: string; timeInForce: string },
  placedAt: Date,
  now: Date,
  market: SessionMarket,
): boolean {
  if (order.timeInForce !== 'day' || market.cryptoPattern.test(order.symbol)) return false;
  const end = sessionEnd(placedAt, market.calendar);
  const local = localParts(now, market.calendar.timeZone);
  return local.day > end.day || (local.day === end.day && local.minutes >= end.close);
}

/** The trading day (YYYY-MM-DD) and close (minutes since midnight) of the first session to end after `at`. */
export function sessionEnd(at: Date, calendar: MarketCalendar): { day: string; close: number } {
  const local = localParts(at, calendar.timeZone);
  const close = closeOn(local.day, calendar);
  if (close !== undefined && local.minutes < close) return { day: local.day, close };
  let day = local.day;
  // A year of closed days cannot happen; the bound only keeps a broken calendar from looping forever.
  for (let i = 0; i < 366; i += 1) {
    day = nextDay(day);
    const next = closeOn(day, calendar);
    if (next !== undefined) return { day, close: next };
  }
  return { day, close: 0 };
}

/** The regular close of `day` in minutes, or undefined when the market does not open that day. */
function closeOn(day: string, calendar: MarketCalendar): number | undefined {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6 || calendar.holidays.includes(day)) return undefined;
  const [hours = 0, minutes = 0] = (calendar.earlyCloses[day] ?? calendar.close).split(':').map(Number);
  return hours * 60 + minutes;
}

function nextDay(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
