/**
 * Builders for unit tests: small, valid domain values with the fields a test cares about overridden.
 * Everything happens at one fixed instant so tests are deterministic.
 */
import type { Alert } from '../../src/domain/alert.ts';
import type {
  AppliedMark,
  Book,
  BookOrder,
  BrokerAccountSnapshot,
  StrategyBook,
  TradingState,
} from '../../src/domain/book.ts';
import { asClientOrderId, type ClientOrderId } from '../../src/domain/ids.ts';
import type { FillReport, OrderStatus, OrderStatusReport } from '../../src/domain/order.ts';
import type { RiskContext } from '../../src/domain/risk.ts';
import type { OrderIntent } from '../../src/domain/sizing.ts';

/** The instant every builder uses: 10:00 in New York (EST) on Monday 2026-11-23, the market open. */
export const NOW = new Date('2026-11-23T15:00:00.000Z');
/** NOW as an ISO string. */
export const AT = NOW.toISOString();
/** The New York trading day of NOW. */
export const TODAY = '2026-11-23';
/** The five business days ending TODAY, newest first (no holiday among them). */
export const BUSINESS_DAYS = ['2026-11-23', '2026-11-20', '2026-11-19', '2026-11-18', '2026-11-17'] as const;

/** A market buy alert for AAPL; override what the test is about. */
export function anAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    symbol: 'AAPL',
    action: 'buy',
    opensShort: false,
    type: 'market',
    timeInForce: 'day',
    ...overrides,
  };
}

/** One symbol in a book built by `aBook`. Committed defaults to |qty|, reducing to 0. */
export interface SymbolSpec {
  qty?: number;
  avgPrice?: number;
  committed?: number;
  reducing?: number;
  realizedPnl?: number;
  lastPrice?: number;
  openedOn?: string;
  applied?: Record<string, AppliedMark>;
}

/** What `aBook` builds; absent fields are derived from the symbols so the book's invariants hold. */
export interface BookSpec {
  tradingState?: TradingState;
  symbols?: Record<string, SymbolSpec>;
  openSymbols?: string[];
  exposure?: number;
  pnlDay?: string;
  dayRealizedPnl?: number;
  pendingNotional?: number;
  strategies?: Record<string, StrategyBook>;
  rates?: Record<string, number>;
  lastAlertAt?: Record<string, string>;
  /** Day trades counted per trading day. */
  dayTrades?: Record<string, number>;
  broker?: BrokerAccountSnapshot;
}

/**
 * A book holding `symbols`. Unless given, exposure is the sum of |qty| x average price and the open
 * symbols are those with a position or a committed quantity.
 */
export function aBook(spec: BookSpec = {}): Book {
  const entries = Object.entries(spec.symbols ?? {});
  const symbols: Book['symbols'] = {};
  for (const [symbol, s] of entries) {
    const qty = s.qty ?? 0;
    symbols[symbol] = {
      position: {
        symbol,
        qty,
        avgPrice: s.avgPrice ?? 0,
        realizedPnl: s.realizedPnl ?? 0,
        commissions: 0,
        lastPrice: s.lastPrice,
        openedOn: s.openedOn,
        updatedAt: AT,
      },
      version: 0,
      committed: s.committed ?? Math.abs(qty),
      reducing: s.reducing ?? 0,
      applied: s.applied ?? {},
    };
  }
  const derivedExposure = entries.reduce((sum, [, s]) => sum + Math.abs(s.qty ?? 0) * (s.avgPrice ?? 0), 0);
  const derivedOpen = Object.entries(symbols)
    .filter(([, s]) => s.position.qty !== 0 || s.committed > 0)
    .map(([symbol]) => symbol);
  return {
    accountId: 'test',
    tradingState: spec.tradingState ?? 'ACTIVE',
    openSymbols: spec.openSymbols ?? derivedOpen,
    exposure: spec.exposure ?? derivedExposure,
    pendingNotional: spec.pendingNotional ?? 0,
    pnlDay: spec.pnlDay,
    dayRealizedPnl: spec.dayRealizedPnl ?? 0,
    symbols,
    strategies: spec.strategies ?? {},
    rates: spec.rates ?? {},
    lastAlertAt: spec.lastAlertAt ?? {},
    dayTrades: spec.dayTrades ?? {},
    broker: spec.broker,
    fillsVersion: 0,
    updatedAt: AT,
  };
}

/** A sized market order intent: buy 10 AAPL at 100 that opens a position. */
export function anIntent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    effect: 'open',
    type: 'market',
    timeInForce: 'day',
    referencePrice: 100,
    ...overrides,
  };
}

/**
 * The risk context of an alert at NOW: a US equity in a book that does not enforce market hours
 * (session undefined), no alert time, price, strategy or extended-hours request.
 */
export function aContext(overrides: Partial<RiskContext> = {}): RiskContext {
  return {
    now: NOW,
    today: TODAY,
    session: undefined,
    assetClass: 'us_equity',
    extendedHours: false,
    businessDays: [...BUSINESS_DAYS],
    ...overrides,
  };
}

/** The id the order builders use unless told otherwise. */
export const ORDER_ID: ClientOrderId = asClientOrderId('pb-0000test0abcdef-1');

/** An order in our records with its reservation: buy 10 AAPL reserved at 100, opening. */
export function aBookOrder(overrides: Partial<BookOrder> = {}): BookOrder {
  return {
    clientOrderId: ORDER_ID,
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    effect: 'open',
    referencePrice: 100,
    ...overrides,
  };
}

/** A fill of `order`; the id is `f1` unless given. */
export function aFill(
  order: Pick<BookOrder, 'clientOrderId' | 'symbol' | 'side'>,
  fill: { qty: number; price: number; commission?: number; fillId?: string; filledAt?: string },
): FillReport {
  return {
    fillId: fill.fillId ?? 'f1',
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: fill.qty,
    price: fill.price,
    commission: fill.commission ?? 0,
    filledAt: fill.filledAt ?? AT,
  };
}

/** A broker's report of `order` in `status` with `fills` (oldest first). */
export function aReport(
  order: Pick<BookOrder, 'clientOrderId' | 'symbol' | 'side' | 'qty'>,
  status: OrderStatus,
  fills: FillReport[] = [],
): OrderStatusReport {
  const filledQty = fills.reduce((sum, fill) => sum + fill.qty, 0);
  return {
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    status,
    filledQty,
    fills,
    updatedAt: AT,
  };
}
