/**
 * The fake's orders and fills. Placing checks what Alpaca checks beyond the request (a client order
 * id is used once for ever, even after a cancel; buys need buying power; a blocked account cannot
 * trade), then books the order and, in `immediate` fill mode, fills a marketable market or limit
 * order at once. Every fill moves the ledger and records a FILL activity, unless the test withholds
 * it to model a lagging fill feed. Bracket and OTO exits wait as `held` legs until the entry fills;
 * when one exit of a bracket or OCO fills, its sibling is canceled.
 */
import { randomUUID } from 'node:crypto';
import { FakeLedger, round9 } from './fake-ledger.ts';
import {
  type AlpacaStatus,
  compactTime,
  ENDED,
  exitLegs,
  type FakeActivity,
  type FakeOrder,
  type OrderFields,
} from './fake-orders.ts';
import type { NewOrder } from './order-request.ts';

/** A placed order, or Alpaca's refusal. */
export type PlaceResult = { ok: true; order: FakeOrder } | { ok: false; status: 403 | 422; message: string };

/** How a test fills an order by hand. */
export interface FillOptions {
  /** Defaults to what remains (a partial fill when less). */
  qty?: number;
  /** Defaults to the limit price, else the stop price, else the symbol's price. */
  price?: number;
  /** Keep the FILL activity back until `releaseActivities()`: a lagging fill feed. */
  withholdActivity?: boolean;
}

/** The status a new order rests in until it fills: Alpaca shows `new`, or `accepted` out of hours. */
export type RestingStatus = 'new' | 'accepted' | 'pending_new';

/** How the book starts. */
export interface BookSettings {
  now: () => Date;
  cash: number;
  fillMode: 'immediate' | 'manual';
  defaultPrice: number | undefined;
  restingStatus: RestingStatus;
}

/** The fake's trading state. */
export class FakeBook {
  readonly orders = new Map<string, FakeOrder>();
  readonly activities: FakeActivity[] = [];
  readonly ledger: FakeLedger;
  readonly prices = new Map<string, number>();
  tradingBlocked = false;
  private readonly usedClientIds = new Map<string, string>();
  private withheld: FakeActivity[] = [];
  private seq = 0;

  fillMode: 'immediate' | 'manual';
  private readonly now: () => Date;
  private readonly defaultPrice: number | undefined;
  private readonly restingStatus: RestingStatus;

  constructor(settings: BookSettings) {
    this.now = settings.now;
    this.fillMode = settings.fillMode;
    this.defaultPrice = settings.defaultPrice;
    this.restingStatus = settings.restingStatus;
    this.ledger = new FakeLedger(settings.cash);
  }

  /** The price the fake trades `symbol` at, when it has one. */
  priceOf(symbol: string): number | undefined {
    return this.prices.get(symbol) ?? this.defaultPrice;
  }

  /** The order with this id or client order id. */
  find(ref: string): FakeOrder | undefined {
    return this.orders.get(ref) ?? this.findByClientOrderId(ref);
  }

  /** The order with this client order id. */
  findByClientOrderId(clientOrderId: string): FakeOrder | undefined {
    const id = this.usedClientIds.get(clientOrderId);
    return id === undefined ? undefined : this.orders.get(id);
  }

  /** Cash less what open buy orders may spend. */
  buyingPower(): number {
    let reserved = 0;
    for (const order of this.orders.values()) {
      // Exit legs are not counted: they only trade against the position their entry opens.
      const entry = order.parentId === undefined;
      if (entry && order.side === 'buy' && !ENDED.has(order.status)) reserved += this.remainingCost(order);
    }
    return round9(Math.max(0, this.ledger.cash - reserved));
  }

  /** Places an order as POST /v2/orders does. */
  place(request: NewOrder): PlaceResult {
    const clientOrderId = request.clientOrderId ?? randomUUID();
    if (this.usedClientIds.has(clientOrderId)) {
      return { ok: false, status: 422, message: 'client_order_id must be unique' };
    }
    if (this.tradingBlocked)
      return { ok: false, status: 403, message: 'trading is blocked for this account' };
    const { takeProfit: _tp, stopLoss: _sl, clientOrderId: _id, ...fields } = request;
    const order = this.book({ ...fields, clientOrderId, status: this.restingStatus });
    if (request.side === 'buy' && this.remainingCost(order) > this.buyingPower()) {
      return { ok: false, status: 403, message: 'insufficient buying power' };
    }
    this.keep(order);
    for (const fields of exitLegs(request, order.id)) {
      const leg = this.book(fields);
      order.legIds.push(leg.id);
      this.keep(leg);
    }
    if (this.fillMode === 'immediate') this.fillIfMarketable(order);
    return { ok: true, order };
  }

  /** Fills (part of) a working order, as the market would. */
  fill(ref: string, options: FillOptions = {}): FakeOrder {
    const order = this.require(ref);
    if (ENDED.has(order.status) || order.status === 'held') {
      throw new Error(`order ${ref} cannot fill while ${order.status}`);
    }
    const price = options.price ?? order.limitPrice ?? order.stopPrice ?? this.priceOf(order.symbol);
    if (price === undefined)
      throw new Error(`no price to fill ${ref} at: pass one or set the symbol's price`);
    if (order.notional !== undefined) order.notionalQty ??= round9(order.notional / price);
    const total = order.qty ?? order.notionalQty ?? 0;
    const remaining = round9(total - order.filledQty);
    const qty = options.qty ?? remaining;
    if (qty <= 0 || qty > remaining) throw new Error(`cannot fill ${qty} of ${ref}: ${remaining} remains`);
    const at = this.now();
    order.filledQty = round9(order.filledQty + qty);
    order.filledValue = round9(order.filledValue + qty * price);
    const done = order.filledQty >= total;
    order.status = done ? 'filled' : 'partially_filled';
    order.updatedAt = at;
    if (done) order.filledAt = at;
    this.ledger.applyFill(order.symbol, order.side, qty, price);
    const activity: FakeActivity = {
      id: `${compactTime(at)}::${randomUUID()}`,
      orderId: order.id,
      symbol: order.symbol,
      side: order.side,
      qty,
      price,
      cumQty: order.filledQty,
      leavesQty: round9(total - order.filledQty),
      type: done ? 'fill' : 'partial_fill',
      orderStatus: order.status,
      transactionTime: at,
      seq: this.nextSeq(),
    };
    if (options.withholdActivity) this.withheld.push(activity);
    else this.activities.push(activity);
    if (done) this.afterFilled(order);
    return order;
  }

  /** Publishes withheld FILL activities; answers how many. */
  releaseActivities(): number {
    const released = this.withheld.length;
    this.activities.push(...this.withheld);
    this.withheld = [];
    return released;
  }

  /** Cancels an order as DELETE /v2/orders/{id} does (its legs with it). */
  cancel(id: string): { ok: true } | { ok: false; status: 404 | 422; message: string } {
    const order = this.orders.get(id);
    if (!order) return { ok: false, status: 404, message: 'order not found' };
    if (ENDED.has(order.status) || order.status === 'pending_cancel' || order.status === 'pending_replace') {
      return { ok: false, status: 422, message: `order is already in "${order.status}" state` };
    }
    this.setStatus(id, 'canceled');
    for (const legId of order.legIds) this.endIfWorking(legId, 'canceled');
    return { ok: true };
  }

  /** Moves an order to any status (a test control: expire, reject, done_for_day...). */
  setStatus(ref: string, status: AlpacaStatus): FakeOrder {
    const order = this.require(ref);
    const at = this.now();
    order.status = status;
    order.updatedAt = at;
    if (status === 'canceled') order.canceledAt = at;
    if (status === 'expired') order.expiredAt = at;
    if (status === 'rejected') order.failedAt = at;
    return order;
  }

  private require(ref: string): FakeOrder {
    const order = this.find(ref);
    if (!order) throw new Error(`the fake has no order ${ref}`);
    return order;
  }

  private book(fields: OrderFields): FakeOrder {
    const at = this.now();
    return {
      ...fields,
      id: randomUUID(),
      clientOrderId: fields.clientOrderId ?? randomUUID(),
      assetId: this.ledger.assetId(fields.symbol),
      filledQty: 0,
      filledValue: 0,
      createdAt: at,
      updatedAt: at,
      legIds: [],
      seq: this.nextSeq(),
    };
  }

  private keep(order: FakeOrder): void {
    this.orders.set(order.id, order);
    this.usedClientIds.set(order.clientOrderId, order.id);
  }

  private fillIfMarketable(order: FakeOrder): void {
    const price = this.priceOf(order.symbol);
    if (price !== undefined && order.type === 'market') this.fill(order.id, { price });
    else if (price !== undefined && order.type === 'limit' && order.limitPrice !== undefined) {
      const limit = order.limitPrice;
      const marketable = order.side === 'buy' ? price <= limit : price >= limit;
      if (marketable)
        this.fill(order.id, {
          price: order.side === 'buy' ? Math.min(price, limit) : Math.max(price, limit),
        });
    }
    // What an immediate-or-cancel / fill-or-kill order could not fill on arrival is canceled.
    if (!ENDED.has(order.status) && (order.timeInForce === 'ioc' || order.timeInForce === 'fok')) {
      this.setStatus(order.id, 'canceled');
    }
  }

  /** Entry filled: its exits go live. An exit filled: its sibling (or OCO parent) is canceled. */
  private afterFilled(order: FakeOrder): void {
    if (order.orderClass === 'oco' && order.parentId === undefined) {
      for (const legId of order.legIds) this.endIfWorking(legId, 'canceled');
      return;
    }
    for (const legId of order.legIds) {
      const leg = this.orders.get(legId);
      if (leg?.status === 'held') this.setStatus(legId, 'new');
    }
    const parent = order.parentId === undefined ? undefined : this.orders.get(order.parentId);
    if (!parent || parent.orderClass === 'oto') return;
    if (parent.orderClass === 'oco') this.endIfWorking(parent.id, 'canceled');
    for (const siblingId of parent.legIds)
      if (siblingId !== order.id) this.endIfWorking(siblingId, 'canceled');
  }

  private endIfWorking(id: string, status: AlpacaStatus): void {
    const order = this.orders.get(id);
    if (order && !ENDED.has(order.status)) this.setStatus(id, status);
  }

  private remainingCost(order: FakeOrder): number {
    if (order.notional !== undefined) return order.filledQty > 0 ? 0 : order.notional;
    const unit = order.limitPrice ?? order.stopPrice ?? this.priceOf(order.symbol) ?? 0;
    return round9(((order.qty ?? 0) - order.filledQty) * unit);
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }
}
