/**
 * The fake's list queries, as Alpaca documents them. GET /v2/orders: status open|closed|all
 * (default open), limit (default 50, at most 500), after/until on submission time (exclusive),
 * after_order_id/before_order_id (not with after/until, not together), direction (default desc),
 * nested (legs under their parent instead of listed on their own), symbols, side.
 * GET /v2/account/activities/FILL: after/until/date on the transaction time, direction (default
 * desc), page_size (default and most 100), page_token (the id of the last activity already seen).
 * Types were checked against the spec before these run; what is left are meaning errors (422).
 */
import type { FakeBook } from './fake-book.ts';
import { ENDED, type FakeActivity, type FakeOrder } from './fake-orders.ts';

/** A list, or Alpaca's 422 message. */
export type Listed<T> = { ok: true; items: T[] } | { ok: false; message: string };

/** The orders GET /v2/orders answers with. */
export function listOrders(book: FakeBook, query: URLSearchParams): Listed<FakeOrder> {
  const status = query.get('status') ?? 'open';
  const limit = Math.min(Number(query.get('limit') ?? 50), 500);
  const nested = query.get('nested') === 'true';
  const symbols = query.get('symbols')?.split(',');
  const side = query.get('side');
  const after = timeOf(query.get('after'));
  const until = timeOf(query.get('until'));
  if (Number.isNaN(after) || Number.isNaN(until)) return { ok: false, message: 'invalid after or until' };
  const afterId = query.get('after_order_id');
  const beforeId = query.get('before_order_id');
  if (afterId !== null && beforeId !== null) {
    return { ok: false, message: 'after_order_id and before_order_id are mutually exclusive' };
  }
  const cursorId = afterId ?? beforeId;
  if (cursorId !== null && (after !== undefined || until !== undefined)) {
    return { ok: false, message: 'after_order_id/before_order_id cannot be combined with after/until' };
  }
  const cursor = cursorId === null ? undefined : book.orders.get(cursorId);
  if (cursorId !== null && cursor === undefined) return { ok: false, message: `order ${cursorId} not found` };
  if (limit < 1) return { ok: false, message: 'limit must be at least 1' };
  const chosen = [...book.orders.values()].filter((order) => {
    if (nested && order.parentId !== undefined) return false;
    if (status === 'open' && ENDED.has(order.status)) return false;
    if (status === 'closed' && !ENDED.has(order.status)) return false;
    if (symbols && !symbols.includes(order.symbol)) return false;
    if (side !== null && order.side !== side) return false;
    const submitted = order.createdAt.getTime();
    if (after !== undefined && submitted <= after) return false;
    if (until !== undefined && submitted >= until) return false;
    if (cursor && afterId !== null && order.seq <= cursor.seq) return false;
    if (cursor && beforeId !== null && order.seq >= cursor.seq) return false;
    return true;
  });
  const ascending = query.get('direction') === 'asc';
  chosen.sort(
    (a, b) => (ascending ? 1 : -1) * (a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq),
  );
  return { ok: true, items: chosen.slice(0, limit) };
}

/** The FILL activities GET /v2/account/activities/FILL answers with. */
export function listFillActivities(book: FakeBook, query: URLSearchParams): Listed<FakeActivity> {
  const after = timeOf(query.get('after'));
  const until = timeOf(query.get('until'));
  const date = query.get('date');
  const day = date === null ? undefined : new Date(date).toISOString().slice(0, 10);
  if (Number.isNaN(after) || Number.isNaN(until)) return { ok: false, message: 'invalid after or until' };
  const pageSize = Number(query.get('page_size') ?? 100);
  const ascending = query.get('direction') === 'asc';
  const chosen = book.activities
    .filter((activity) => {
      const at = activity.transactionTime.getTime();
      if (after !== undefined && at <= after) return false;
      if (until !== undefined && at >= until) return false;
      return day === undefined || activity.transactionTime.toISOString().startsWith(day);
    })
    .sort(
      (a, b) =>
        (ascending ? 1 : -1) * (a.transactionTime.getTime() - b.transactionTime.getTime() || a.seq - b.seq),
    );
  const token = query.get('page_token');
  let start = 0;
  if (token !== null) {
    const index = chosen.findIndex((activity) => activity.id === token);
    if (index < 0) return { ok: false, message: `invalid page_token ${token}` };
    start = index + 1;
  }
  return { ok: true, items: chosen.slice(start, start + pageSize) };
}

/** Epoch ms of a query timestamp; undefined when absent, NaN when unreadable. */
function timeOf(value: string | null): number | undefined {
  return value === null ? undefined : Date.parse(value);
}
