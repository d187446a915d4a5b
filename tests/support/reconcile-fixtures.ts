/**
 * Setting up what reconciliation meets, without the webhook: an order reserved in the book exactly as
 * the pipeline reserves it, recorded or not (a crash between the two leaves only the reservation), and
 * sent to the broker or not. Client order ids are deterministic, so two harnesses set up alike hold
 * equal books.
 */
import { riskContextFor } from '../../src/app/trading-settings.ts';
import { parseAlert } from '../../src/domain/alert.ts';
import type { TimeInForce } from '../../src/domain/order.ts';
import { checkOrder } from '../../src/domain/risk.ts';
import type { OrderIntent } from '../../src/domain/sizing.ts';
import type { OrderRecord } from '../../src/store/order-store.ts';
import { type Harness, orderRecord } from './app-harness.ts';

/** One order to set up. */
export interface DirectOrder {
  id: string;
  symbol: string;
  side?: 'buy' | 'sell';
  qty: number;
  price: number;
  effect?: 'open' | 'reduce';
  type?: 'market' | 'limit';
  limitPrice?: number;
  timeInForce?: TimeInForce;
  /** Write the order record (default true); false leaves a reservation nothing holds. */
  record?: boolean;
  /** Send it to the broker (default true when recorded). */
  submit?: boolean;
}

/** Reserves `order` in the book, then records and submits it as asked; answers the record. */
export async function placeDirectly(h: Harness, order: DirectOrder): Promise<OrderRecord> {
  const now = h.deps.now();
  const side = order.side ?? 'buy';
  const intent: OrderIntent = {
    symbol: order.symbol,
    side,
    qty: order.qty,
    effect: order.effect ?? 'open',
    type: order.type ?? 'market',
    timeInForce: order.timeInForce ?? 'day',
    limitPrice: order.limitPrice,
    referencePrice: order.price,
  };
  const parsed = parseAlert({ symbol: order.symbol, action: side, quantity: order.qty, price: order.price });
  if (!parsed.ok) throw new Error(`the setup alert for ${order.id} is invalid`);
  const context = riskContextFor(h.deps.trading, parsed.alert, now);
  const risk = checkOrder(await h.deps.book.get(), intent, h.deps.trading.limits, context);
  if (!risk.ok) throw new Error(`risk denied the setup order ${order.id}: ${risk.denial.code}`);
  if (!(await h.deps.book.reserve(risk.reservation, now))) throw new Error(`could not reserve ${order.id}`);
  const record = orderRecord(h.deps.accountId, {
    id: order.id,
    symbol: order.symbol,
    side,
    qty: order.qty,
    effect: intent.effect,
    referencePrice: order.price,
    type: intent.type,
    timeInForce: intent.timeInForce,
    limitPrice: order.limitPrice,
    createdAt: now,
  });
  if (order.record === false) return record;
  if (!(await h.deps.orders.create(record))) throw new Error(`order ${order.id} exists already`);
  if (order.submit !== false) {
    await h.deps.broker.submitOrder({ ...intent, clientOrderId: record.clientOrderId });
  }
  return record;
}
