/**
 * Sizing: from an alert and what we hold to the order(s) to send. Pure.
 *
 * Modes: `fixed` quantity, quantity from the `alert`, fixed `notional` in dollars, `percentEquity`,
 * `riskPercent` (risk % of equity divided by the stop distance), and `targetPosition`, which takes the
 * alert's position_size / market_position as the wanted end state and trades only the difference,
 * so a missed, repeated or reordered alert converges instead of compounding.
 *
 * Invariants: an order never crosses zero (a reversal is two legs: close, then open); `sell` while
 * long reduces and never opens a short; a short is opened only when shorting is enabled and the alert
 * says so (`short`, market_position short, or a negative target).
 */
import type { Alert } from './alert.ts';
import type { OrderEffect } from './book.ts';
import { type Denial, type DenialCode, type DenialContext, denial } from './denial.ts';
import type { OrderSide, OrderType, TimeInForce } from './order.ts';
import { round } from './position.ts';

/** The order sizing decided on, before risk checks. */
export interface OrderIntent {
  symbol: string;
  side: OrderSide;
  qty: number;
  effect: OrderEffect;
  type: OrderType;
  timeInForce: TimeInForce;
  limitPrice?: number | undefined;
  stopPrice?: number | undefined;
  trailPercent?: number | undefined;
  /** The best price we know for the symbol: the alert's, else its limit, else the last we saw. */
  referencePrice?: number | undefined;
  extendedHours?: boolean | undefined;
  /** Exits attached to an opening order (a bracket when both are set). */
  takeProfit?: { limitPrice: number } | undefined;
  stopLoss?: { stopPrice: number } | undefined;
}

/** How quantities are chosen. */
export type SizingMode = 'fixed' | 'alert' | 'notional' | 'percentEquity' | 'riskPercent' | 'targetPosition';

/** Sizing settings (a strategy's, merged over the global ones). */
export interface SizingSettings {
  mode: SizingMode;
  /** fixed: the quantity; alert and targetPosition: the quantity when the alert has none. */
  quantity?: number | undefined;
  notional?: number | undefined;
  percentOfEquity?: number | undefined;
  riskPercent?: number | undefined;
  allowFractional: boolean;
  allowShort: boolean;
}

/** What we hold in the symbol: signed quantity, quantity already reserved by reducing orders, last price. */
export interface Holding {
  qty: number;
  reducing: number;
  /** Unfilled opening quantity (in the position's direction when there is one). */
  pendingOpen?: number | undefined;
  lastPrice?: number | undefined;
}

/** The sizing outcome: one or two legs, in the order they must be sent, and warnings to record. */
export type SizingResult =
  | { ok: true; intents: OrderIntent[]; warnings: string[] }
  | { ok: false; denial: Denial };

/** Decides side, quantity and effect of the order(s) an alert asks for. `equity` is the account's, when known. */
export function sizeOrder(
  alert: Alert,
  holding: Holding,
  settings: SizingSettings,
  equity?: number,
): SizingResult {
  const warnings = missedAlertWarnings(alert, holding.qty);
  const leg = legBuilder(alert, holding);
  const result =
    settings.mode === 'targetPosition'
      ? sizeTarget(alert, holding, settings, leg)
      : sizeAction(alert, holding, settings, equity, leg);
  return result.ok ? { ok: true, intents: result.intents, warnings } : result;
}

type LegBuilder = (side: OrderSide, qty: number, effect: OrderEffect) => OrderIntent;
type Legs = { ok: true; intents: OrderIntent[] } | { ok: false; denial: Denial };

function sizeAction(
  alert: Alert,
  holding: Holding,
  settings: SizingSettings,
  equity: number | undefined,
  leg: LegBuilder,
): Legs {
  const { symbol } = alert;
  const held = holding.qty;
  const reduce = (side: OrderSide, qty: number): Legs => {
    const reducible = Math.max(0, round(Math.abs(held) - holding.reducing));
    if (reducible <= 0) {
      return deny('POSITION_ALREADY_CLOSING', `orders already in flight close the whole ${symbol} position`, {
        current: Math.abs(held),
      });
    }
    return { ok: true, intents: [leg(side, round(Math.min(qty, reducible)), 'reduce')] };
  };

  if (alert.action === 'exit') {
    if (held === 0) return deny('NO_POSITION', `no ${symbol} position to close`);
    return reduce(held > 0 ? 'sell' : 'buy', Math.abs(held));
  }
  const sized = quantityFor(alert, holding, settings, equity);
  if (!sized.ok) return sized;
  const requested = sized.qty;
  if (alert.action === 'buy') {
    if (held < 0) return reduce('buy', requested);
    return { ok: true, intents: [leg('buy', requested, 'open')] };
  }
  if (held > 0) return reduce('sell', requested);
  if (!alert.opensShort) {
    return deny('NO_POSITION', `no ${symbol} long to sell; send "short" to open a short position`);
  }
  if (!settings.allowShort) return deny('SHORTING_DISABLED', 'risk.allowShort is false');
  return { ok: true, intents: [leg('sell', requested, 'open')] };
}

/** Target position: trade the difference between the wanted and the held position. */
function sizeTarget(alert: Alert, holding: Holding, settings: SizingSettings, leg: LegBuilder): Legs {
  const held = holding.qty;
  const wanted = targetOf(alert, settings);
  if (wanted === undefined) {
    return deny(
      'QUANTITY_REQUIRED',
      'targetPosition sizing needs position_size, or market_position and a quantity',
    );
  }
  if (wanted < 0 && !settings.allowShort) {
    return deny('SHORTING_DISABLED', 'the target is short but risk.allowShort is false');
  }
  if (!settings.allowFractional && !Number.isInteger(wanted)) {
    return deny('FRACTIONAL_NOT_ALLOWED', `target ${wanted} is not a whole number`, { requested: wanted });
  }
  // Reducing orders in flight already take the position toward zero: trade from where they leave it,
  // so a repeated target alert (or a re-size after a lost reservation race) does not reduce twice.
  // Opening orders in flight likewise already take it away from zero. When flat, their direction is
  // not known: wait for them to fill rather than guess.
  const pendingOpen = holding.pendingOpen ?? 0;
  if (held === 0 && pendingOpen > 0) {
    return deny(
      'ORDERS_IN_FLIGHT',
      `an opening ${alert.symbol} order is still unfilled; target sizing waits for it`,
      {
        current: pendingOpen,
      },
    );
  }
  const inFlight = Math.sign(held) * (pendingOpen - Math.min(holding.reducing, Math.abs(held)));
  const base = round(held + inFlight);
  const delta = round(wanted - base);
  if (delta === 0)
    return deny('ALREADY_AT_TARGET', `${alert.symbol} is already at ${base}`, { current: base });
  const intents: OrderIntent[] = [];
  const crosses = held !== 0 && (wanted === 0 || Math.sign(wanted) !== Math.sign(held));
  if (crosses || Math.abs(wanted) < Math.abs(base)) {
    const closeQty = crosses ? Math.abs(base) : Math.abs(delta);
    if (closeQty <= 0) {
      return deny(
        'POSITION_ALREADY_CLOSING',
        `orders already in flight close the whole ${alert.symbol} position`,
      );
    }
    // An unfilled opening order cannot be reduced: closing more than is held would cross zero.
    if (closeQty > round(Math.abs(held) - Math.min(holding.reducing, Math.abs(held)))) {
      return deny(
        'ORDERS_IN_FLIGHT',
        `an opening ${alert.symbol} order is still unfilled; target sizing waits for it`,
        { current: pendingOpen, requested: round(closeQty) },
      );
    }
    intents.push(leg(held > 0 ? 'sell' : 'buy', round(closeQty), 'reduce'));
  }
  if (wanted !== 0 && (crosses || held === 0 || Math.abs(wanted) > Math.abs(base))) {
    const openQty = crosses || held === 0 ? Math.abs(wanted) : Math.abs(delta);
    intents.push(leg(wanted > 0 ? 'buy' : 'sell', round(openQty), 'open'));
  }
  return { ok: true, intents };
}

/** The signed position the alert wants: position_size, else market_position with a quantity. */
function targetOf(alert: Alert, settings: SizingSettings): number | undefined {
  if (alert.positionSize !== undefined) return alert.positionSize;
  if (alert.marketPosition === 'flat') return 0;
  const qty = alert.quantity ?? settings.quantity;
  if (alert.marketPosition === undefined || qty === undefined) return undefined;
  return alert.marketPosition === 'long' ? qty : -qty;
}

/** The quantity an opening or reducing order gets under the non-target modes. */
function quantityFor(
  alert: Alert,
  holding: Holding,
  settings: SizingSettings,
  equity: number | undefined,
): { ok: true; qty: number } | { ok: false; denial: Denial } {
  const price = alert.price ?? alert.limitPrice ?? holding.lastPrice;
  let raw: number | undefined;
  switch (settings.mode) {
    case 'fixed':
      raw = settings.quantity;
      if (raw === undefined) return deny('QUANTITY_REQUIRED', 'fixed sizing needs sizing.quantity');
      break;
    case 'alert':
    case 'targetPosition':
      raw = alert.quantity ?? settings.quantity;
      if (raw === undefined)
        return deny('QUANTITY_REQUIRED', 'the alert has no quantity and no default is set');
      if (!settings.allowFractional && !Number.isInteger(raw)) {
        return deny('FRACTIONAL_NOT_ALLOWED', `quantity ${raw} is not a whole number`, { requested: raw });
      }
      return { ok: true, qty: raw };
    case 'notional':
      if (settings.notional === undefined)
        return deny('QUANTITY_REQUIRED', 'notional sizing needs sizing.notional');
      if (price === undefined) return deny('PRICE_UNKNOWN', 'notional sizing needs a price');
      raw = settings.notional / price;
      break;
    case 'percentEquity': {
      if (settings.percentOfEquity === undefined) {
        return deny('QUANTITY_REQUIRED', 'percentEquity sizing needs sizing.percentOfEquity');
      }
      if (price === undefined) return deny('PRICE_UNKNOWN', 'percentEquity sizing needs a price');
      if (equity === undefined) return deny('EQUITY_UNKNOWN', 'the account equity is not known yet');
      raw = (equity * settings.percentOfEquity) / 100 / price;
      break;
    }
    case 'riskPercent': {
      if (settings.riskPercent === undefined)
        return deny('QUANTITY_REQUIRED', 'riskPercent sizing needs sizing.riskPercent');
      if (price === undefined) return deny('PRICE_UNKNOWN', 'riskPercent sizing needs a price');
      if (equity === undefined) return deny('EQUITY_UNKNOWN', 'the account equity is not known yet');
      const stop = alert.stopLoss ?? alert.stopPrice;
      const distance = stop === undefined ? 0 : Math.abs(price - stop);
      if (distance <= 0)
        return deny(
          'STOP_REQUIRED',
          'riskPercent sizing needs stop_loss (or stop_price) away from the price',
        );
      raw = (equity * settings.riskPercent) / 100 / distance;
      break;
    }
  }
  const qty = settings.allowFractional ? round(raw) : Math.floor(round(raw));
  if (qty <= 0) {
    return deny('SIZE_TOO_SMALL', `${settings.mode} sizing comes to less than one share`, {
      requested: round(raw),
    });
  }
  return { ok: true, qty };
}

/** Warnings when TradingView's idea of the previous position disagrees with ours: an alert was missed. */
export function missedAlertWarnings(alert: Alert, held: number): string[] {
  const previous = alert.prevMarketPosition;
  if (previous === undefined) return [];
  const ours = held > 0 ? 'long' : held < 0 ? 'short' : 'flat';
  if (previous === ours) return [];
  return [`MISSED_ALERT: the strategy was ${previous} before this alert, but we are ${ours} (${held})`];
}

function legBuilder(alert: Alert, holding: Holding): LegBuilder {
  const limitPrice =
    alert.limitPrice ?? (alert.type === 'limit' || alert.type === 'stop_limit' ? alert.price : undefined);
  const referencePrice = alert.price ?? alert.limitPrice ?? holding.lastPrice;
  // Attached exits belong to the order that opens the position they protect. One literal, without
  // spreading shared parts in: the spread cost more than sizing itself.
  const takeProfit = alert.takeProfit === undefined ? undefined : { limitPrice: alert.takeProfit };
  const stopLoss = alert.stopLoss === undefined ? undefined : { stopPrice: alert.stopLoss };
  return (side, qty, effect) => ({
    symbol: alert.symbol,
    type: alert.type,
    timeInForce: alert.timeInForce,
    limitPrice,
    stopPrice: alert.stopPrice,
    trailPercent: alert.trailPercent,
    referencePrice,
    extendedHours: alert.extendedHours,
    takeProfit: effect === 'open' ? takeProfit : undefined,
    stopLoss: effect === 'open' ? stopLoss : undefined,
    side,
    qty,
    effect,
  });
}

function deny(code: DenialCode, message: string, context: DenialContext = {}): { ok: false; denial: Denial } {
  return { ok: false, denial: denial(code, message, context) };
}
