/**
 * When an alert would close, reduce or reverse a position, or was denied, and the book holds unsettled
 * orders of its symbol, those orders are settled from the broker first and the alert is sized again:
 * an entry whose answer timed out (202, IN_FLIGHT) may well be filled at the broker, and an exit sized
 * against the book alone would find nothing to close. An alert that only opens or adds is sized the
 * same either way (unsettled opening quantity already counts as pending), so it skips this, and so do
 * bursts of entries. Cost when it runs: one Query and one bounded lookup per order. A lookup that
 * fails or runs out of time leaves the order for the reconcile pass.
 */
import type { BrokerPort } from '../brokers/port.ts';
import type { Book } from '../domain/book.ts';
import type { OrderStatusReport } from '../domain/order.ts';
import type { SizingResult } from '../domain/sizing.ts';
import { errorFields, type Logger } from './logger.ts';
import { lookUpOrder } from './order-lookup.ts';
import { type SettlerDeps, settleReport } from './order-settler.ts';

/** What settling in-flight orders needs. */
export interface InFlightDeps extends SettlerDeps {
  broker: BrokerPort;
  log: Logger;
}

/** The longest one lookup may take, whatever time remains. */
const LOOKUP_TIMEOUT_MS = 500;

/** True when the book holds reservations for `symbol` that only unsettled orders explain. */
export function hasUnsettled(book: Book, symbol: string): boolean {
  const entry = book.symbols[symbol];
  if (!entry) return false;
  return entry.committed > Math.abs(entry.position.qty) || entry.reducing > 0;
}

/** True when settling `symbol`'s unsettled orders could change how the alert is sized. */
export function needsInFlightSettled(sized: SizingResult, book: Book, symbol: string): boolean {
  if (!hasUnsettled(book, symbol)) return false;
  return !sized.ok || sized.intents.some((intent) => intent.effect === 'reduce');
}

/** Settles `symbol`'s unsettled orders from the broker, by `deadline` (epoch ms); answers the book after. */
export async function settleInFlight(
  deps: InFlightDeps,
  symbol: string,
  book: Book,
  deadline: number,
): Promise<Book> {
  if (!hasUnsettled(book, symbol)) return book;
  const orders = (await deps.orders.listOpen()).filter((order) => order.symbol === symbol);
  let settled = 0;
  for (const order of orders) {
    const budget = Math.min(LOOKUP_TIMEOUT_MS, (deadline - deps.now().getTime()) / 2);
    if (budget <= 0) break;
    try {
      const report = await withTimeout(lookUpOrder(deps.broker, order), budget);
      if (report === undefined) continue;
      await settleReport(deps, order, report, 'webhook');
      settled += 1;
    } catch (error) {
      deps.log.warn('in-flight order not settled before sizing', {
        clientOrderId: order.clientOrderId,
        ...errorFields(error),
      });
    }
  }
  return settled > 0 ? deps.book.get() : book;
}

function withTimeout(
  lookup: Promise<OrderStatusReport | undefined>,
  ms: number,
): Promise<OrderStatusReport | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`broker lookup took longer than ${Math.round(ms)} ms`)), ms);
  });
  return Promise.race([lookup, timedOut]).finally(() => clearTimeout(timer));
}
