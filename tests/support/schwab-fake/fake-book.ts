/**
 * The fake's account: orders, their executions, positions and balances, rendered the way Schwab's
 * Trader API renders them (numeric order ids, times like `2024-05-23T13:36:02+0000`, fills as
 * EXECUTION activities with executionLegs, bracket exits nested in childOrderStrategies).
 *
 * Rules the fake enforces (assumed from how Schwab treats equity instructions): SELL needs a long
 * position of at least the quantity, BUY_TO_COVER a short one, SELL_SHORT no long position, BUY no
 * short position. New orders are WORKING; with the default fill policy a MARKET order fills at once
 * at the symbol's price. A TRIGGER's children wait (AWAITING_PARENT_ORDER) until it is FILLED; when
 * one order of an OCO fills, the other is CANCELED.
 */
import type { OrderRequest, SingleRequest } from './order-request.ts';

/** One fill of an order. */
export interface FakeExecution {
  activityId: number;
  quantity: number;
  price: number;
  time: Date;
  /** False while Schwab's fill feed lags: counted in filledQuantity, not yet in orderActivityCollection. */
  listed: boolean;
}

/** One order at the fake (an OCO holder has no request legs). */
export interface FakeOrder {
  orderId: number;
  request: OrderRequest;
  status: string;
  statusDescription?: string | undefined;
  enteredTime: Date;
  closeTime?: Date | undefined;
  executions: FakeExecution[];
  children: FakeOrder[];
  parent?: FakeOrder | undefined;
}

/** How new orders fill: market orders at once (default), nothing, or this much of a market order. */
export type FillPolicy = 'market' | 'none' | { partialQty: number };

const TERMINAL = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'REPLACED']);

/** The fake account's orders and positions. */
export class FakeBook {
  /** Top-level orders, oldest first. */
  readonly orders: FakeOrder[] = [];
  readonly positions = new Map<string, { qty: number; avgPrice: number; assetType: string }>();
  readonly prices = new Map<string, number>();
  balances = { cashBalance: 50_000, liquidationValue: 80_000, buyingPower: 100_000, availableFunds: 50_000 };
  fillPolicy: FillPolicy = 'market';
  private readonly byId = new Map<number, FakeOrder>();
  private nextOrderId = 1_000_000_001;
  private nextActivityId = 90_001;

  constructor(private readonly now: () => Date) {}

  /** Places an order; the order, or Schwab's message when it refuses it. */
  place(request: OrderRequest): { ok: true; order: FakeOrder } | { ok: false; message: string } {
    const refusal = request.orderStrategyType === 'OCO' ? undefined : this.instructionProblem(request);
    if (refusal !== undefined) return { ok: false, message: refusal };
    const order = this.create(request, undefined);
    this.orders.push(order);
    const policy = this.fillPolicy;
    if (request.orderStrategyType !== 'OCO' && request.orderType === 'MARKET' && policy !== 'none') {
      const qty = policy === 'market' ? quantityOf(order) : Math.min(policy.partialQty, quantityOf(order));
      this.fill(order.orderId, qty);
    }
    return { ok: true, order };
  }

  /** The order with this id, at any depth. */
  find(orderId: number): FakeOrder | undefined {
    return this.byId.get(orderId);
  }

  /**
   * Fills `qty` of an order at `price` (default: the symbol's price) and moves the position. With
   * `listed: false` the fill is counted but not listed until `listFills`, as when Schwab's feed lags.
   */
  fill(orderId: number, qty: number, price?: number, options: { listed?: boolean } = {}): void {
    const order = this.mustFind(orderId);
    const single = singleOf(order);
    const leg = single.orderLegCollection[0];
    if (leg === undefined) throw new Error(`order ${orderId} has no leg to fill`);
    const at = price ?? this.prices.get(leg.instrument.symbol) ?? 100;
    const listed = options.listed ?? true;
    order.executions.push({
      activityId: this.nextActivityId++,
      quantity: qty,
      price: at,
      time: this.now(),
      listed,
    });
    this.move(leg.instrument.symbol, leg.instruction.startsWith('BUY') ? qty : -qty, at);
    if (filledOf(order) < quantityOf(order)) {
      order.status = 'WORKING';
      return;
    }
    this.end(order, 'FILLED');
    for (const child of order.children) this.activate(child);
    const holder = order.parent;
    if (holder?.request.orderStrategyType === 'OCO') {
      for (const sibling of holder.children) if (sibling !== order) this.end(sibling, 'CANCELED');
      this.end(holder, 'FILLED');
    }
  }

  /** Cancels an order and what waits on it; Schwab's message when it cannot. */
  cancel(orderId: number): string | undefined {
    const order = this.mustFind(orderId);
    if (TERMINAL.has(order.status)) return `Order ${orderId} cannot be canceled: it is ${order.status}`;
    const cancelTree = (node: FakeOrder) => {
      if (!TERMINAL.has(node.status)) this.end(node, 'CANCELED');
      for (const child of node.children) cancelTree(child);
    };
    cancelTree(order);
    return undefined;
  }

  /** Sets an order's status as Schwab might (tests of the status mapping). */
  setStatus(orderId: number, status: string, description?: string): void {
    const order = this.mustFind(orderId);
    order.status = status;
    order.statusDescription = description;
    if (TERMINAL.has(status)) order.closeTime = this.now();
  }

  /** Lists every fill of an order that was held back. */
  listFills(orderId: number): void {
    for (const execution of this.mustFind(orderId).executions) execution.listed = true;
  }

  /** Sets a position (negative is short). */
  setPosition(symbol: string, qty: number, avgPrice: number, assetType = 'EQUITY'): void {
    this.positions.set(symbol, { qty, avgPrice, assetType });
  }

  /** Top-level orders entered in [from, to], newest first, at most `max`. */
  list(from: Date, to: Date, max: number): FakeOrder[] {
    return this.orders
      .filter((order) => order.enteredTime >= from && order.enteredTime <= to)
      .sort((a, b) => b.enteredTime.getTime() - a.enteredTime.getTime() || b.orderId - a.orderId)
      .slice(0, max);
  }

  private create(request: OrderRequest, parent: FakeOrder | undefined): FakeOrder {
    const order: FakeOrder = {
      orderId: this.nextOrderId++,
      request,
      status: parent === undefined ? 'WORKING' : 'AWAITING_PARENT_ORDER',
      enteredTime: this.now(),
      executions: [],
      children: [],
      parent,
    };
    this.byId.set(order.orderId, order);
    order.children = (request.childOrderStrategies ?? []).map((child) => this.create(child, order));
    return order;
  }

  private activate(order: FakeOrder): void {
    if (order.status !== 'AWAITING_PARENT_ORDER') return;
    order.status = 'WORKING';
    for (const child of order.children) if (order.request.orderStrategyType === 'OCO') this.activate(child);
  }

  private end(order: FakeOrder, status: string): void {
    order.status = status;
    order.closeTime = this.now();
  }

  private instructionProblem(request: SingleRequest): string | undefined {
    const leg = request.orderLegCollection[0];
    if (leg === undefined) return 'an order needs a leg';
    const held = this.positions.get(leg.instrument.symbol)?.qty ?? 0;
    const wrong: Record<string, boolean> = {
      BUY: held < 0,
      SELL: held < leg.quantity,
      SELL_SHORT: held > 0,
      BUY_TO_COVER: -held < leg.quantity,
    };
    return wrong[leg.instruction]
      ? `${leg.instruction} ${leg.quantity} ${leg.instrument.symbol} does not fit the position of ${held}`
      : undefined;
  }

  private move(symbol: string, signed: number, price: number): void {
    const current = this.positions.get(symbol) ?? { qty: 0, avgPrice: 0, assetType: 'EQUITY' };
    const qty = current.qty + signed;
    const adding = current.qty === 0 || Math.sign(current.qty) === Math.sign(signed);
    const avgPrice = adding ? (current.qty * current.avgPrice + signed * price) / qty : current.avgPrice;
    this.positions.set(symbol, { ...current, qty, avgPrice: qty === 0 ? 0 : avgPrice });
  }

  private mustFind(orderId: number): FakeOrder {
    const order = this.byId.get(orderId);
    if (order === undefined) throw new Error(`the fake has no order ${orderId}`);
    return order;
  }
}

/** The single order under an order (an OCO holder has none). */
export function singleOf(order: FakeOrder): SingleRequest {
  if (order.request.orderStrategyType === 'OCO') throw new Error(`order ${order.orderId} is an OCO holder`);
  return order.request;
}

/** The order's quantity (0 for an OCO holder). */
export function quantityOf(order: FakeOrder): number {
  return order.request.orderStrategyType === 'OCO' ? 0 : (order.request.orderLegCollection[0]?.quantity ?? 0);
}

/** What Schwab reports as filled: listed executions and any not listed yet. */
export function filledOf(order: FakeOrder): number {
  return order.executions.reduce((sum, execution) => sum + execution.quantity, 0);
}
