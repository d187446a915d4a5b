/**
 * Pre-trade risk checks, pure. `checkOrder` evaluates an order against a snapshot of the book and,
 * when it passes, returns the Reservation that the store writes with one conditional update. That
 * condition re-checks every book-level limit (open positions, exposure, per-symbol and per-strategy
 * quantities, daily realized loss, order rates, out-of-order alerts, cooldown, buying power) against
 * the item as it is at write time, so concurrent alerts cannot together pass a limit that each
 * passes alone. Checks that depend only on the order or the clock are decided here.
 *
 * Orders that reduce a position pass every position and exposure limit: no limit may trap a trader in
 * a position. They still obey the trading state (HALTED stops everything), stale and out-of-order
 * alerts, market hours, order rates, price sanity and the pattern-day-trader rule.
 */
import { type Book, rateBuckets, realizedOn, type TradingState } from './book.ts';
import { type Denial, type DenialCode, type DenialContext, denial } from './denial.ts';
import type { AssetClass, Session } from './market-hours.ts';
import { round, roundMoney, unrealizedPnl } from './position.ts';
import type { OrderIntent } from './sizing.ts';

/** The limits the risk engine enforces; absent limits are not enforced. */
export interface RiskLimits {
  symbolAllowlist: readonly string[];
  symbolDenylist?: readonly string[] | undefined;
  allowedAssetClasses?: readonly AssetClass[] | undefined;
  maxOrderQty?: number | undefined;
  maxOrderNotional?: number | undefined;
  minOrderNotional?: number | undefined;
  maxPositionQty?: number | undefined;
  maxPositionNotional?: number | undefined;
  maxOpenPositions?: number | undefined;
  maxTotalExposure?: number | undefined;
  maxStrategyExposure?: number | undefined;
  maxDailyLoss?: number | undefined;
  maxDailyLossWithUnrealized?: number | undefined;
  maxOrdersPerMinute?: number | undefined;
  maxOrdersPerDay?: number | undefined;
  maxStrategyOrdersPerMinute?: number | undefined;
  maxStrategyOrdersPerDay?: number | undefined;
  maxAlertAgeSeconds?: number | undefined;
  maxFutureSkewSeconds?: number | undefined;
  rejectOutOfOrder?: boolean | undefined;
  priceBandPercent?: number | undefined;
  checkBuyingPower?: boolean | undefined;
  pdt?:
    | { enforce: boolean; accountType: 'margin' | 'cash'; minEquity: number; maxDayTrades: number }
    | undefined;
}

/** What the checks need to know besides the book and the order. */
export interface RiskContext {
  now: Date;
  /** The trading day (account time zone) of `now`. */
  today: string;
  /** The market session at `now` for the symbol, or undefined when market hours are not enforced. */
  session?: Session | undefined;
  assetClass: AssetClass;
  /** The alert's own time (ISO), when it carried one. */
  alertTime?: string | undefined;
  /** The price the alert carried, when it carried one. */
  alertPrice?: number | undefined;
  /** The alert asked for extended-hours trading. */
  extendedHours: boolean;
  strategy?: string | undefined;
  /** The strategy's cooldown after a fill, in seconds. */
  cooldownSeconds?: number | undefined;
  /** The last five business days, newest first (for the pattern-day-trader rule). */
  businessDays: readonly string[];
}

/** One counter the reservation adds to, and the most it may hold before the add. */
export interface RateReservation {
  bucket: string;
  /** The counter must be below this before the add. */
  max: number;
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
  today: string;
  /** Order counters to add one to, each with its limit. */
  rates: readonly RateReservation[];
  /** The alert's time, written as the symbol's newest; the write requires no newer one applied. */
  alertTime?: string | undefined;
  strategy?: string | undefined;
  /** open: the symbol's committed quantity must be at most this before adding `qty`. */
  maxCommittedBefore?: number | undefined;
  /** open: the symbol must already be open, or fewer than this many symbols open. */
  maxOpenPositions?: number | undefined;
  /** open: exposure must be at most this before adding `notional`. */
  maxExposureBefore?: number | undefined;
  /** open: the strategy's exposure must be at most this before adding `notional`. */
  maxStrategyExposureBefore?: number | undefined;
  /** open: when the book's P&L day is `today`, realized P&L must be above this. */
  minDayRealizedPnl?: number | undefined;
  /** open: pending notional must be at most this before adding `notional` (buying power left). */
  maxPendingNotionalBefore?: number | undefined;
  /** open: the strategy's last fill must be at or before this time (its cooldown is over). */
  cooldownUntil?: string | undefined;
  /** reduce: the position quantity the order was sized against; the write requires it unchanged. */
  heldQty?: number | undefined;
  /** reduce: reducing quantity must be at most this before adding `qty`. */
  maxReducingBefore?: number | undefined;
  /** reduce: the order is a day trade, counted on `day`; with `maxBefore`, today's count must be below it. */
  dayTrade?: { day: string; maxBefore?: number | undefined } | undefined;
}

/** The outcome of the risk checks. */
export type RiskResult = { ok: true; reservation: Reservation } | { ok: false; denial: Denial };

/** Checks an order against limits and a book snapshot. */
export function checkOrder(
  book: Book,
  intent: OrderIntent,
  limits: RiskLimits,
  ctx: RiskContext,
): RiskResult {
  const { symbol, qty, effect } = intent;
  const price = intent.referencePrice;
  const notional = price === undefined ? 0 : roundMoney(qty * price);
  const symbolBook = book.symbols[symbol];
  const held = symbolBook?.position.qty ?? 0;

  const common = checkCommon(book, intent, limits, ctx);
  if (!common.ok) return common;
  // The reservations are written out field by field: spreading a shared base into them costs more
  // than every check here together.
  const alertTime = limits.rejectOutOfOrder === false ? undefined : ctx.alertTime;

  if (effect === 'reduce') {
    const dayTrade = dayTradeOf(book, symbol, limits, ctx);
    if (dayTrade && 'code' in dayTrade) return { ok: false, denial: dayTrade };
    return {
      ok: true,
      reservation: {
        symbol,
        effect,
        qty,
        today: ctx.today,
        rates: common.rates,
        alertTime,
        strategy: ctx.strategy,
        notional: 0,
        allowedStates: ['ACTIVE', 'REDUCING'],
        heldQty: held,
        maxReducingBefore: round(Math.abs(held) - qty),
        dayTrade,
      },
    };
  }

  if (limits.symbolDenylist?.includes(symbol))
    return deny('SYMBOL_DENIED', `${symbol} is in risk.symbolDenylist`);
  if (limits.symbolAllowlist.length > 0 && !limits.symbolAllowlist.includes(symbol)) {
    return deny('SYMBOL_NOT_ALLOWED', `${symbol} is not in risk.symbolAllowlist`);
  }
  if (limits.allowedAssetClasses && !limits.allowedAssetClasses.includes(ctx.assetClass)) {
    return deny('ASSET_CLASS_NOT_ALLOWED', `${ctx.assetClass} is not in risk.allowedAssetClasses`);
  }
  const needsPrice =
    limits.maxOrderNotional !== undefined ||
    limits.minOrderNotional !== undefined ||
    limits.maxPositionNotional !== undefined ||
    limits.maxTotalExposure !== undefined ||
    limits.maxStrategyExposure !== undefined;
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
  if (limits.minOrderNotional !== undefined && notional < limits.minOrderNotional) {
    return deny('MIN_ORDER_NOTIONAL', `order notional ${notional} is under the minimum`, {
      limit: limits.minOrderNotional,
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
  const strategyExposure = ctx.strategy === undefined ? 0 : (book.strategies[ctx.strategy]?.exposure ?? 0);
  const limitStrategy = ctx.strategy !== undefined && limits.maxStrategyExposure !== undefined;
  if (limitStrategy && strategyExposure + notional > (limits.maxStrategyExposure ?? 0)) {
    return deny('MAX_STRATEGY_EXPOSURE', `exposure of strategy ${ctx.strategy} would exceed the limit`, {
      limit: limits.maxStrategyExposure,
      current: strategyExposure,
      requested: notional,
    });
  }
  const dayPnl = realizedOn(book, ctx.today);
  if (limits.maxDailyLoss !== undefined && dayPnl <= -limits.maxDailyLoss) {
    return deny('MAX_DAILY_LOSS', 'the daily loss limit is reached: only reducing orders pass', {
      limit: limits.maxDailyLoss,
      current: roundMoney(-dayPnl),
    });
  }
  if (limits.maxDailyLossWithUnrealized !== undefined) {
    const total = dayPnl + openUnrealized(book);
    if (total <= -limits.maxDailyLossWithUnrealized) {
      return deny('MAX_DAILY_LOSS_WITH_UNREALIZED', 'realized plus unrealized loss today is at the limit', {
        limit: limits.maxDailyLossWithUnrealized,
        current: roundMoney(-total),
      });
    }
  }
  // Without a price the notional is unknown: the broker's own buying-power check is then the only one.
  const buyingPower =
    limits.checkBuyingPower === true && price !== undefined ? book.broker?.buyingPower : undefined;
  if (buyingPower !== undefined && book.pendingNotional + notional > buyingPower) {
    return deny('INSUFFICIENT_BUYING_POWER', 'the order would use more buying power than the account has', {
      limit: buyingPower,
      current: book.pendingNotional,
      requested: notional,
    });
  }
  const cooldownUntil = cooldownThreshold(ctx);
  const lastFill = ctx.strategy === undefined ? undefined : book.strategies[ctx.strategy]?.lastFillAt;
  if (cooldownUntil !== undefined && lastFill !== undefined && lastFill > cooldownUntil) {
    return deny('STRATEGY_COOLDOWN', `strategy ${ctx.strategy} is cooling down after its last fill`, {
      limit: ctx.cooldownSeconds,
      current: Math.round((ctx.now.getTime() - Date.parse(lastFill)) / 1000),
    });
  }
  return {
    ok: true,
    reservation: {
      symbol,
      effect,
      qty,
      today: ctx.today,
      rates: common.rates,
      alertTime,
      strategy: ctx.strategy,
      notional,
      allowedStates: ['ACTIVE'],
      maxCommittedBefore: positionLimit === undefined ? undefined : round(positionLimit.qty - qty),
      maxOpenPositions: limits.maxOpenPositions,
      maxExposureBefore:
        limits.maxTotalExposure === undefined ? undefined : roundMoney(limits.maxTotalExposure - notional),
      maxStrategyExposureBefore: limitStrategy
        ? roundMoney((limits.maxStrategyExposure ?? 0) - notional)
        : undefined,
      minDayRealizedPnl: limits.maxDailyLoss === undefined ? undefined : -limits.maxDailyLoss,
      maxPendingNotionalBefore: buyingPower === undefined ? undefined : roundMoney(buyingPower - notional),
      cooldownUntil: ctx.strategy === undefined ? undefined : cooldownUntil,
    },
  };
}

/** Checks every order passes, opening or reducing; gathers the rate counters to reserve. */
function checkCommon(
  book: Book,
  intent: OrderIntent,
  limits: RiskLimits,
  ctx: RiskContext,
): { ok: true; rates: RateReservation[] } | { ok: false; denial: Denial } {
  if (book.tradingState === 'HALTED') return deny('TRADING_HALTED', 'trading is halted');
  if (book.tradingState === 'REDUCING' && intent.effect === 'open') {
    return deny('TRADING_REDUCING', 'trading is reduce-only: this order would open or add to a position');
  }
  if (ctx.alertTime !== undefined) {
    const ageSeconds = (ctx.now.getTime() - Date.parse(ctx.alertTime)) / 1000;
    if (limits.maxAlertAgeSeconds !== undefined && ageSeconds > limits.maxAlertAgeSeconds) {
      return deny('STALE_ALERT', `the alert is ${Math.ceil(ageSeconds)} s old`, {
        limit: limits.maxAlertAgeSeconds,
        current: Math.ceil(ageSeconds),
      });
    }
    if (limits.maxFutureSkewSeconds !== undefined && -ageSeconds > limits.maxFutureSkewSeconds) {
      return deny('ALERT_FROM_FUTURE', `the alert's time is ${Math.ceil(-ageSeconds)} s ahead of ours`, {
        limit: limits.maxFutureSkewSeconds,
        current: Math.ceil(-ageSeconds),
      });
    }
    const newest = book.lastAlertAt[intent.symbol];
    if (
      limits.rejectOutOfOrder !== false &&
      newest !== undefined &&
      Date.parse(ctx.alertTime) < Date.parse(newest)
    ) {
      return deny('OUT_OF_ORDER_ALERT', `a newer ${intent.symbol} alert (${newest}) was already applied`);
    }
  }
  if (ctx.session === 'closed') return deny('MARKET_CLOSED', `the ${ctx.assetClass} market is closed`);
  if (ctx.session === 'extended' && (intent.type !== 'limit' || !ctx.extendedHours)) {
    return deny(
      'EXTENDED_HOURS_LIMIT_ONLY',
      'outside regular hours only limit orders that ask for extended_hours are taken',
    );
  }
  const band = limits.priceBandPercent;
  const last = book.symbols[intent.symbol]?.position.lastPrice;
  if (band !== undefined && ctx.alertPrice !== undefined && last !== undefined && last > 0) {
    const deviation = (Math.abs(ctx.alertPrice - last) / last) * 100;
    if (deviation > band) {
      return deny(
        'PRICE_OUT_OF_BAND',
        `the alert price is ${deviation.toFixed(2)}% from the last known ${last}`,
        {
          limit: band,
          current: roundMoney(deviation),
          requested: ctx.alertPrice,
        },
      );
    }
  }
  const buckets = rateBuckets(ctx.now, ctx.today, ctx.strategy);
  const wanted: Array<[string | undefined, number | undefined, DenialCode]> = [
    [buckets.minute, limits.maxOrdersPerMinute, 'MAX_ORDERS_PER_MINUTE'],
    [buckets.day, limits.maxOrdersPerDay, 'MAX_ORDERS_PER_DAY'],
    [buckets.strategyMinute, limits.maxStrategyOrdersPerMinute, 'MAX_STRATEGY_ORDERS_PER_MINUTE'],
    [buckets.strategyDay, limits.maxStrategyOrdersPerDay, 'MAX_STRATEGY_ORDERS_PER_DAY'],
  ];
  const rates: RateReservation[] = [];
  for (const [bucket, max, code] of wanted) {
    if (bucket === undefined || max === undefined) continue;
    const count = book.rates[bucket] ?? 0;
    if (count >= max) return deny(code, 'the order rate limit is reached', { limit: max, current: count });
    rates.push({ bucket, max });
  }
  return { ok: true, rates };
}

/**
 * Day trades and FINRA's pattern-day-trader rule. Reducing a position opened today (crypto aside) is
 * a day trade, counted when reserved. A margin account under the equity minimum may make at most
 * `maxDayTrades` in five business days: the reservation then requires today's count below what the
 * four earlier days leave, so concurrent closes cannot together pass the limit.
 */
function dayTradeOf(
  book: Book,
  symbol: string,
  limits: RiskLimits,
  ctx: RiskContext,
): Reservation['dayTrade'] | Denial | undefined {
  if (ctx.assetClass === 'crypto' || book.symbols[symbol]?.position.openedOn !== ctx.today) return undefined;
  const pdt = limits.pdt;
  const applies =
    pdt?.enforce === true &&
    pdt.accountType === 'margin' &&
    book.broker !== undefined &&
    book.broker.equity < pdt.minEquity;
  if (!applies || pdt === undefined) return { day: ctx.today };
  // Today counts whether or not it is among the business days (a weekend, or an account time zone
  // ahead of the market's): the write's condition bounds today's count by what the others leave.
  const earlier = ctx.businessDays
    .filter((day) => day !== ctx.today)
    .reduce((sum, day) => sum + (book.dayTrades[day] ?? 0), 0);
  const count = earlier + (book.dayTrades[ctx.today] ?? 0);
  if (count >= pdt.maxDayTrades) {
    return denial('PDT_LIMIT', 'a margin account under the equity minimum is at its day-trade limit', {
      limit: pdt.maxDayTrades,
      current: count,
    });
  }
  return { day: ctx.today, maxBefore: pdt.maxDayTrades - earlier };
}

/** The latest last-fill time at which the strategy's cooldown is over. */
function cooldownThreshold(ctx: RiskContext): string | undefined {
  if (ctx.cooldownSeconds === undefined || ctx.strategy === undefined) return undefined;
  return new Date(ctx.now.getTime() - ctx.cooldownSeconds * 1000).toISOString();
}

/** Unrealized P&L of every open position at its last known price. */
function openUnrealized(book: Book): number {
  return Object.values(book.symbols).reduce((sum, { position }) => {
    if (position.qty === 0 || position.lastPrice === undefined) return sum;
    return sum + unrealizedPnl(position, position.lastPrice);
  }, 0);
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

function deny(code: DenialCode, message: string, context: DenialContext = {}): { ok: false; denial: Denial } {
  return { ok: false, denial: denial(code, message, context) };
}
