/**
 * The fake's answers, one per spec operation it implements. Errors carry Alpaca's body
 * `{ code, message }` with Alpaca's eight-digit codes (the HTTP status followed by 10000).
 */
import type { FakeBook } from './fake-book.ts';
import { listFillActivities, listOrders } from './fake-queries.ts';
import { renderAccount, renderActivity, renderOrder, renderPositions } from './fake-render.ts';
import { readOrderRequest } from './order-request.ts';

/** An HTTP answer before it is written. */
export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The market clock the fake reports (GET /v2/clock). */
export interface FakeClock {
  isOpen: boolean;
  nextOpen: string;
  nextClose: string;
  /** The clock's time; the fake's `now` when absent. */
  timestamp?: string | undefined;
}

/** What an answer may look at. */
export interface RouteContext {
  book: FakeBook;
  method: string;
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  clock: FakeClock;
  account: { id: string; createdAt: Date };
  now: Date;
}

/** The spec operations the fake answers. */
export const IMPLEMENTED = [
  ['POST', '/v2/orders'],
  ['GET', '/v2/orders'],
  ['GET', '/v2/orders/{order_id}'],
  ['DELETE', '/v2/orders/{order_id}'],
  ['GET', '/v2/orders:by_client_order_id'],
  ['GET', '/v2/account/activities/{activity_type}'],
  ['GET', '/v2/positions'],
  ['GET', '/v2/account'],
  ['GET', '/v2/clock'],
] as const;

/** The status the fake answers for an operation the spec has but the fake does not model. */
export const NOT_IMPLEMENTED = 501;

/** Alpaca's error body for `status`. */
export function errorAnswer(status: number, message: string): FakeAnswer {
  return { status, body: { code: status * 100_000 + 10_000, message } };
}

/** Answers one request that passed authentication and the spec. */
export function answer(context: RouteContext): FakeAnswer {
  const { book, query, params } = context;
  const nested = query.get('nested') === 'true';
  switch (`${context.method} ${context.template}`) {
    case 'POST /v2/orders': {
      const read = readOrderRequest(context.body);
      if (!read.ok) return errorAnswer(422, read.message);
      const placed = book.place(read.order);
      if (!placed.ok) return errorAnswer(placed.status, placed.message);
      return { status: 200, body: renderOrder(book, placed.order, true) };
    }
    case 'GET /v2/orders': {
      const listed = listOrders(book, query);
      if (!listed.ok) return errorAnswer(422, listed.message);
      return { status: 200, body: listed.items.map((order) => renderOrder(book, order, nested)) };
    }
    case 'GET /v2/orders/{order_id}': {
      const order = book.orders.get(params.order_id ?? '');
      if (!order) return errorAnswer(404, 'order not found');
      return { status: 200, body: renderOrder(book, order, nested) };
    }
    case 'GET /v2/orders:by_client_order_id': {
      const order = book.findByClientOrderId(query.get('client_order_id') ?? '');
      if (!order) return errorAnswer(404, 'order not found');
      return { status: 200, body: renderOrder(book, order, true) };
    }
    case 'DELETE /v2/orders/{order_id}': {
      const canceled = book.cancel(params.order_id ?? '');
      return canceled.ok ? { status: 204 } : errorAnswer(canceled.status, canceled.message);
    }
    case 'GET /v2/account/activities/{activity_type}': {
      if (params.activity_type !== 'FILL') {
        return errorAnswer(
          NOT_IMPLEMENTED,
          `the fake models FILL activities only, not ${params.activity_type}`,
        );
      }
      const listed = listFillActivities(book, query);
      if (!listed.ok) return errorAnswer(422, listed.message);
      return { status: 200, body: listed.items.map(renderActivity) };
    }
    case 'GET /v2/positions':
      return { status: 200, body: renderPositions(book) };
    case 'GET /v2/account':
      return { status: 200, body: renderAccount(book, context.account.id, context.account.createdAt) };
    case 'GET /v2/clock': {
      const { clock } = context;
      const timestamp = clock.timestamp ?? context.now.toISOString();
      const body = {
        timestamp,
        is_open: clock.isOpen,
        next_open: clock.nextOpen,
        next_close: clock.nextClose,
      };
      return { status: 200, body };
    }
    default:
      return errorAnswer(
        NOT_IMPLEMENTED,
        `the fake does not implement ${context.method} ${context.template}`,
      );
  }
}
