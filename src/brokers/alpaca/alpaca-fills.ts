/**
 * Reading fills from Alpaca's FILL activities (GET /v2/account/activities/FILL), oldest first, page
 * by page: each next page starts after the last activity's id (page_token). The activity feed has
 * no order filter, so an order's fills are found by reading the account's fills since the order
 * was created, stopping as soon as every order asked about has all the fills its filled_qty shows.
 */
import type { AlpacaClient } from './alpaca-client.ts';
import { roundQty } from './alpaca-mapping.ts';
import { type AlpacaFillActivity, AlpacaFillActivityList, type AlpacaOrder } from './alpaca-schemas.ts';

/** The most activities Alpaca returns per page. */
export const ACTIVITY_PAGE_SIZE = 100;
/** Read activities from a little before an order's creation: Alpaca's `after` is exclusive. */
const LOOKBACK_MS = 1000;

/** Every FILL activity after `after` (exclusive), oldest first, one page per iteration. */
export async function* fillActivityPages(
  client: AlpacaClient,
  after: Date,
  signal?: AbortSignal,
): AsyncGenerator<AlpacaFillActivity[]> {
  let pageToken: string | undefined;
  for (;;) {
    const page = await client.call({
      method: 'GET',
      path: '/v2/account/activities/FILL',
      query: {
        after: after.toISOString(),
        direction: 'asc',
        page_size: ACTIVITY_PAGE_SIZE,
        page_token: pageToken,
      },
      schema: AlpacaFillActivityList,
      signal,
    });
    yield page;
    const last = page.at(-1)?.id;
    if (page.length < ACTIVITY_PAGE_SIZE || last === undefined || last === pageToken) return;
    pageToken = last;
  }
}

/**
 * The FILL activities of `orders` (those with something filled), read until each has activities
 * for its whole filled_qty or the feed ends. Activities of other orders are dropped.
 */
export async function fillsOfOrders(
  client: AlpacaClient,
  orders: readonly AlpacaOrder[],
  signal?: AbortSignal,
): Promise<AlpacaFillActivity[]> {
  const wanted = new Map<string, { filled: number; seen: number }>();
  for (const order of orders) {
    if (order.filled_qty > 0) wanted.set(order.id, { filled: order.filled_qty, seen: 0 });
  }
  if (wanted.size === 0) return [];
  const earliest = Math.min(...orders.filter((o) => wanted.has(o.id)).map((o) => Date.parse(o.created_at)));
  const found: AlpacaFillActivity[] = [];
  let missing = wanted.size;
  for await (const page of fillActivityPages(client, new Date(earliest - LOOKBACK_MS), signal)) {
    for (const activity of page) {
      const target = wanted.get(activity.order_id);
      if (target === undefined) continue;
      found.push(activity);
      const before = target.seen;
      target.seen = roundQty(target.seen + activity.qty);
      if (before < target.filled && target.seen >= target.filled) missing -= 1;
    }
    if (missing === 0) break;
  }
  return found;
}
