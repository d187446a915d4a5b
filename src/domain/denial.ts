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
