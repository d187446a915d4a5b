/**
 * The fake's state as Alpaca's JSON, shaped by the spec's schemas: Order (with every key the spec
 * requires, nulls where it allows them), TradingActivities, Position, Account and the legacy Clock.
 * Decimals are strings with at most 9 decimals; timestamps are ISO 8601.
 */
import type { FakeBook } from './fake-book.ts';
import { round9 } from './fake-ledger.ts';
import type { AlpacaStatus, FakeActivity, FakeOrder } from './fake-orders.ts';

/** An order as Alpaca answers it. */
export interface AlpacaOrderJson {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: null;
  replaced_by: null;
  replaces: null;
  asset_id: string;
  symbol: string;
  asset_class: 'us_equity';
  notional: string | null;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: string;
  order_type: string;
  type: string;
  side: 'buy' | 'sell';
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: AlpacaStatus;
  extended_hours: boolean;
  legs: AlpacaOrderJson[] | null;
  trail_percent: string | null;
  trail_price: string | null;
  hwm: string | null;
}

/** A number as Alpaca's decimal string. */
export function decimal(value: number): string {
  const text = round9(value)
    .toFixed(9)
    .replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

function decimalOrNull(value: number | undefined): string | null {
  return value === undefined ? null : decimal(value);
}

function timeOrNull(value: Date | undefined): string | null {
  return value === undefined ? null : value.toISOString();
}

/** An order; with `legs`, its legs are nested under it (else `legs` is null, as the spec says). */
export function renderOrder(book: FakeBook, order: FakeOrder, legs: boolean): AlpacaOrderJson {
  const nested = legs && order.legIds.length > 0;
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
    submitted_at: order.createdAt.toISOString(),
    filled_at: timeOrNull(order.filledAt),
    expired_at: timeOrNull(order.expiredAt),
    canceled_at: timeOrNull(order.canceledAt),
    failed_at: timeOrNull(order.failedAt),
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: order.assetId,
    symbol: order.symbol,
    asset_class: 'us_equity',
    notional: decimalOrNull(order.notional),
    qty: decimalOrNull(order.qty),
    filled_qty: decimal(order.filledQty),
    filled_avg_price: order.filledQty > 0 ? decimal(order.filledValue / order.filledQty) : null,
    // Alpaca shows a simple order's class as "" (see the spec's order examples).
    order_class: order.orderClass === 'simple' ? '' : order.orderClass,
    order_type: order.type,
    type: order.type,
    side: order.side,
    time_in_force: order.timeInForce,
    limit_price: decimalOrNull(order.limitPrice),
    stop_price: decimalOrNull(order.stopPrice),
    status: order.status,
    extended_hours: order.extendedHours,
    legs: nested ? order.legIds.flatMap((id) => legOf(book, id)) : null,
    trail_percent: decimalOrNull(order.trailPercent),
    trail_price: decimalOrNull(order.trailPrice),
    hwm: order.type === 'trailing_stop' ? decimalOrNull(book.priceOf(order.symbol)) : null,
  };
}

function legOf(book: FakeBook, id: string): AlpacaOrderJson[] {
  const leg = book.orders.get(id);
  return leg === undefined ? [] : [renderOrder(book, leg, false)];
}

/** A FILL activity. */
export function renderActivity(activity: FakeActivity): Record<string, unknown> {
  return {
    activity_type: 'FILL',
    id: activity.id,
    order_id: activity.orderId,
    symbol: activity.symbol,
    side: activity.side,
    qty: decimal(activity.qty),
    price: decimal(activity.price),
    cum_qty: decimal(activity.cumQty),
    leaves_qty: decimal(activity.leavesQty),
    transaction_time: activity.transactionTime.toISOString(),
    type: activity.type,
    order_status: activity.orderStatus,
  };
}

/** Every position, marked at the symbol's price (its average price when it has none). */
export function renderPositions(book: FakeBook): Record<string, unknown>[] {
  return [...book.ledger.positions.values()].map((position) => {
    const price = book.priceOf(position.symbol) ?? position.avgPrice;
    const costBasis = position.qty * position.avgPrice;
    const marketValue = position.qty * price;
    const pl = marketValue - costBasis;
    const plpc = costBasis === 0 ? 0 : pl / Math.abs(costBasis);
    return {
      asset_id: position.assetId,
      symbol: position.symbol,
      exchange: 'NASDAQ',
      asset_class: 'us_equity',
      asset_marginable: true,
      avg_entry_price: decimal(position.avgPrice),
      qty: decimal(position.qty),
      qty_available: decimal(position.qty),
      side: position.qty < 0 ? 'short' : 'long',
      market_value: decimal(marketValue),
      cost_basis: decimal(costBasis),
      unrealized_pl: decimal(pl),
      unrealized_plpc: decimal(plpc),
      unrealized_intraday_pl: decimal(pl),
      unrealized_intraday_plpc: decimal(plpc),
      current_price: decimal(price),
      lastday_price: decimal(price),
      change_today: '0',
    };
  });
}

/** The account: cash, buying power (cash less open buys), equity marked at current prices. */
export function renderAccount(book: FakeBook, accountId: string, createdAt: Date): Record<string, unknown> {
  let long = 0;
  let short = 0;
  for (const position of book.ledger.positions.values()) {
    const value = position.qty * (book.priceOf(position.symbol) ?? position.avgPrice);
    if (value >= 0) long += value;
    else short += value;
  }
  const equity = book.ledger.cash + long + short;
  const buyingPower = decimal(book.buyingPower());
  return {
    id: accountId,
    account_number: 'PAFAKE0001',
    status: 'ACTIVE',
    crypto_status: 'ACTIVE',
    currency: 'USD',
    cash: decimal(book.ledger.cash),
    buying_power: buyingPower,
    regt_buying_power: buyingPower,
    non_marginable_buying_power: buyingPower,
    equity: decimal(equity),
    last_equity: decimal(equity),
    portfolio_value: decimal(equity),
    long_market_value: decimal(long),
    short_market_value: decimal(short),
    initial_margin: '0',
    maintenance_margin: '0',
    last_maintenance_margin: '0',
    sma: '0',
    multiplier: '1',
    accrued_fees: '0',
    pending_transfer_in: '0',
    shorting_enabled: true,
    trading_blocked: book.tradingBlocked,
    account_blocked: false,
    transfers_blocked: false,
    trade_suspended_by_user: false,
    created_at: createdAt.toISOString(),
  };
}
