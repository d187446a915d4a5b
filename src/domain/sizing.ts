/**
 * Sizing: from an alert and what we hold to the order to send. `sell` while long reduces (never
 * opens a short); a short is opened only when shorting is enabled and the alert says `short` (or
 * market_position short). An order never crosses zero: a reversal is a close, then an open.
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
}

/** Sizing settings. */
export interface SizingSettings {
  defaultQuantity?: number | undefined;
  allowFractional: boolean;
  allowShort: boolean;
}

/** What we hold in the symbol: signed quantity, quantity already reserved by reducing orders, last price. */
export interface Holding {
  qty: number;
  reducing: number;
  lastPrice?: number | undefined;
}

/** The sizing outcome. */
export type SizingResult = { ok: true; intent: OrderIntent } | { ok: false; denial: Denial };

/** Decides side, quantity and effect of the order an alert asks for. */
export function sizeOrder(alert: Alert, holding: Holding, settings: SizingSettings): SizingResult {
  const symbol = alert.symbol;
  const held = holding.qty;
  const reducible = Math.max(0, round(Math.abs(held) - holding.reducing));
  const requested = alert.quantity ?? settings.defaultQuantity;
  const base = {
    symbol,
    type: alert.type,
    timeInForce: alert.timeInForce,
    limitPrice:
      alert.limitPrice ?? (alert.type === 'limit' || alert.type === 'stop_limit' ? alert.price : undefined),
    stopPrice: alert.stopPrice,
    trailPercent: alert.trailPercent,
    referencePrice: alert.price ?? alert.limitPrice ?? holding.lastPrice,
  };
  const reduce = (side: OrderSide, qty: number): SizingResult => {
    if (reducible <= 0) {
      return deny('POSITION_ALREADY_CLOSING', `orders already in flight close the whole ${symbol} position`, {
        current: Math.abs(held),
      });
    }
    return { ok: true, intent: { ...base, side, qty: round(Math.min(qty, reducible)), effect: 'reduce' } };
  };

  if (alert.action === 'exit') {
    if (held === 0) return deny('NO_POSITION', `no ${symbol} position to close`);
    return reduce(held > 0 ? 'sell' : 'buy', Math.abs(held));
  }
  if (requested === undefined)
    return deny('QUANTITY_REQUIRED', 'the alert has no quantity and no default is set');
  if (!settings.allowFractional && !Number.isInteger(requested)) {
    return deny('FRACTIONAL_NOT_ALLOWED', `quantity ${requested} is not a whole number`, { requested });
  }
  if (alert.action === 'buy') {
    if (held < 0) return reduce('buy', requested);
    return { ok: true, intent: { ...base, side: 'buy', qty: requested, effect: 'open' } };
  }
  if (held > 0) return reduce('sell', requested);
  if (!alert.opensShort) {
    return deny('NO_POSITION', `no ${symbol} long to sell; send "short" to open a short position`);
  }
  if (!settings.allowShort) return deny('SHORTING_DISABLED', 'risk.allowShort is false');
  return { ok: true, intent: { ...base, side: 'sell', qty: requested, effect: 'open' } };
}

function deny(code: DenialCode, message: string, context: DenialContext = {}): SizingResult {
  return { ok: false, denial: denial(code, message, context) };
}
