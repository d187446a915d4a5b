/**
 * Pre-trade risk checks, pure. `checkOrder` evaluates an order against a snapshot of the book and,
 * when it passes, returns the Reservation that the store writes with one conditional update. That
 * condition re-checks every book-level limit against the item as it is at write time, so concurrent
 * alerts cannot together pass a limit that each passes alone. Orders that reduce a position pass
 * every limit but the trading state (HALTED stops everything): no limit may trap a trader in a
 * position, not even a symbol taken off the allowlist.
 */
import { type Book, realizedOn, type TradingState } from './book.ts';
import { type Denial, type DenialCode, type DenialContext, denial } from './denial.ts';
import { round, roundMoney } from './position.ts';
import type { OrderIntent } from './sizing.ts';

/** The limits the risk engine enforces; absent limits are not enforced. */
export interface RiskLimits {
  symbolAllowlist: readonly string[];
  maxOrderQty?: number | undefined;
  maxOrderNotional?: number | undefined;
  maxPositionQty?: number | undefined;
  maxPositionNotional?: number | undefined;
  maxOpenPositions?: number | undefined;
  maxTotalExposure?: number | undefined;
  maxDailyLoss?: number | undefined;
}

/** What to reserve in the book, and the conditions under which the reservation may be written. */
export interface Reservation {
  symbol: string;
  effect: 'open' | 'reduce';
  qty: number;
  /** Reserved notional: qty x reference price (0 when no price is known). */
  notional: number;
  /** Trading states in which the write may happen. */
  allowedStates: readonly TradingState[];
  /** open: the symbol's committed quantity must be at most this before adding `qty`. */
  maxCommittedBefore?: number | undefined;
  /** open: the symbol must already be open, or fewer than this many symbols open. */
  maxOpenPositions?: number | undefined;
  /** open: exposure must be at most this before adding `notional`. */
  maxExposureBefore?: number | undefined;
  /** open: when the book's P&L day is `today`, realized P&L must be above this. */
  minDayRealizedPnl?: number | undefined;
  today: string;
  /** reduce: the position quantity the order was sized against; the write requires it unchanged. */
  heldQty?: number | undefined;
  /** reduce: reducing quantity must be at most this before adding `qty`. */
  maxReducingBefore?: number | undefined;
}

/** The outcome of the risk checks. */
export type RiskResult = { ok: true; reservation: Reservation } | { ok: false; denial: Denial };

/** Checks an order against limits and a book snapshot. */
export function checkOrder(book: Book, intent: OrderIntent, limits: RiskLimits, today: string): RiskResult {
  const { symbol, qty, effect } = intent;
  const price = intent.referencePrice;
  const notional = price === undefined ? 0 : roundMoney(qty * price);
  const symbolBook = book.symbols[symbol];
  const held = symbolBook?.position.qty ?? 0;

  if (book.tradingState === 'HALTED') return deny('TRADING_HALTED', 'trading is halted');
  if (book.tradingState === 'REDUCING' && effect === 'open') {
    return deny('TRADING_REDUCING', 'trading is reduce-only: this order would open or add to a position');
  }
  if (effect === 'reduce') {
    return {
      ok: true,
      reservation: {
        symbol,
        effect,
        qty,
        notional: 0,
        allowedStates: ['ACTIVE', 'REDUCING'],
        today,
        heldQty: held,
        maxReducingBefore: round(Math.abs(held) - qty),
      },
    };
  }

  if (limits.symbolAllowlist.length > 0 && !limits.symbolAllowlist.includes(symbol)) {
    return deny('SYMBOL_NOT_ALLOWED', `${symbol} is not in risk.symbolAllowlist`);
  }
  const needsPrice =
    limits.maxOrderNotional !== undefined ||
    limits.maxPositionNotional !== undefined ||
    limits.maxTotalExposure !== undefined;
  if (needsPrice && price === undefined) {
    return deny('PRICE_UNKNOWN', 'a notional limit is set but the alert has no price and none is known');
  }
  if (limits.maxOrderQty !== undefined && qty > limits.maxOrderQty) {
    return deny('MAX_ORDER_QTY', `order quantity ${qty} is over the limit`, {
      limit: limits.maxOrderQty,
      requested: qty,
    });
  }
  if (limits.maxOrderNotional !== undefined && notional > limits.maxOrderNotional) {
    return deny('MAX_ORDER_NOTIONAL', `order notional ${notional} is over the limit`, {
      limit: limits.maxOrderNotional,
      requested: notional,
    });
  }
  const committed = symbolBook?.committed ?? 0;
  const positionLimit = positionQtyLimit(limits, price);
  if (positionLimit !== undefined && committed + qty > positionLimit.qty) {
    return deny(positionLimit.code, `${symbol} position would exceed the limit`, {
      limit: positionLimit.limit,
      current: positionLimit.code === 'MAX_POSITION_QTY' ? committed : roundMoney(committed * (price ?? 0)),
      requested: positionLimit.code === 'MAX_POSITION_QTY' ? qty : notional,
    });
  }
  const isOpen = book.openSymbols.includes(symbol);
  if (
    limits.maxOpenPositions !== undefined &&
    !isOpen &&
    book.openSymbols.length >= limits.maxOpenPositions
  ) {
    return deny('MAX_OPEN_POSITIONS', 'the number of open positions is at the limit', {
      limit: limits.maxOpenPositions,
      current: book.openSymbols.length,
    });
  }
  if (limits.maxTotalExposure !== undefined && book.exposure + notional > limits.maxTotalExposure) {
    return deny('MAX_TOTAL_EXPOSURE', 'total exposure would exceed the limit', {
      limit: limits.maxTotalExposure,
      current: book.exposure,
      requested: notional,
    });
  }
  const dayPnl = realizedOn(book, today);
  if (limits.maxDailyLoss !== undefined && dayPnl <= -limits.maxDailyLoss) {
    return deny('MAX_DAILY_LOSS', 'the daily loss limit is reached: only reducing orders pass', {
      limit: limits.maxDailyLoss,
      current: -dayPnl,
    });
  }
  return {
    ok: true,
    reservation: {
      symbol,
      effect,
      qty,
      notional,
      allowedStates: ['ACTIVE'],
      today,
      maxCommittedBefore: positionLimit === undefined ? undefined : round(positionLimit.qty - qty),
      maxOpenPositions: limits.maxOpenPositions,
      maxExposureBefore:
        limits.maxTotalExposure === undefined ? undefined : roundMoney(limits.maxTotalExposure - notional),
      minDayRealizedPnl: limits.maxDailyLoss === undefined ? undefined : -limits.maxDailyLoss,
    },
  };
}

/** The tighter of the quantity limit and the notional limit expressed in quantity at `price`. */
function positionQtyLimit(
  limits: RiskLimits,
  price: number | undefined,
): { qty: number; limit: number; code: 'MAX_POSITION_QTY' | 'MAX_POSITION_NOTIONAL' } | undefined {
  const byQty = limits.maxPositionQty;
  const byNotional =
    limits.maxPositionNotional !== undefined && price !== undefined && price > 0
      ? limits.maxPositionNotional / price
      : undefined;
  if (byQty === undefined && byNotional === undefined) return undefined;
  if (byNotional === undefined || (byQty !== undefined && byQty <= byNotional)) {
    return { qty: byQty ?? Number.POSITIVE_INFINITY, limit: byQty ?? 0, code: 'MAX_POSITION_QTY' };
  }
  return { qty: byNotional, limit: limits.maxPositionNotional ?? 0, code: 'MAX_POSITION_NOTIONAL' };
}

function deny(code: DenialCode, message: string, context: DenialContext = {}): RiskResult {
  return { ok: false, denial: denial(code, message, context) };
}
