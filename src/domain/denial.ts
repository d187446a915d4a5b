/**
 * Denials: an order blocked by our own risk engine before it reached a broker. Codes are stable
 * UPPER_SNAKE names that clients may rely on; context says which limit and by how much.
 */

/** Every denial code pinebridge answers with. */
export const DENIAL_CODES = [
  'TRADING_HALTED',
  'TRADING_REDUCING',
  'SYMBOL_NOT_ALLOWED',
  'NO_POSITION',
  'POSITION_ALREADY_CLOSING',
  'QUANTITY_REQUIRED',
  'FRACTIONAL_NOT_ALLOWED',
  'SHORTING_DISABLED',
  'PRICE_UNKNOWN',
  'MAX_ORDER_QTY',
  'MAX_ORDER_NOTIONAL',
  'MAX_POSITION_QTY',
  'MAX_POSITION_NOTIONAL',
  'MAX_OPEN_POSITIONS',
  'MAX_TOTAL_EXPOSURE',
  'MAX_DAILY_LOSS',
  'MAX_DAILY_LOSS_WITH_UNREALIZED',
  'SYMBOL_DENIED',
  'ASSET_CLASS_NOT_ALLOWED',
  'MIN_ORDER_NOTIONAL',
  'MAX_STRATEGY_EXPOSURE',
  'MAX_ORDERS_PER_MINUTE',
  'MAX_ORDERS_PER_DAY',
  'MAX_STRATEGY_ORDERS_PER_MINUTE',
  'MAX_STRATEGY_ORDERS_PER_DAY',
  'STALE_ALERT',
  'ALERT_FROM_FUTURE',
  'OUT_OF_ORDER_ALERT',
  'MARKET_CLOSED',
  'EXTENDED_HOURS_LIMIT_ONLY',
  'PDT_LIMIT',
  'INSUFFICIENT_BUYING_POWER',
  'PRICE_OUT_OF_BAND',
  'STRATEGY_COOLDOWN',
  'STOP_REQUIRED',
  'ALREADY_AT_TARGET',
  'EQUITY_UNKNOWN',
  'SIZE_TOO_SMALL',
  'ORDERS_IN_FLIGHT',
] as const;

/** A stable denial code. */
export type DenialCode = (typeof DENIAL_CODES)[number];

/** Why an order was denied, with the numbers behind it. */
export interface Denial {
  code: DenialCode;
  message: string;
  limit?: number | undefined;
  current?: number | undefined;
  requested?: number | undefined;
}

/** The numbers behind a denial. */
export type DenialContext = Omit<Denial, 'code' | 'message'>;

/** Builds a denial. */
export function denial(code: DenialCode, message: string, context: DenialContext = {}): Denial {
  return { code, message, ...context };
}
