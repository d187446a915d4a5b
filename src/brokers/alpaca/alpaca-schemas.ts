/**
 * Zod schemas of the Alpaca Trading API v2 answers the adapter reads, after Alpaca's OpenAPI spec
 * (reference/alpaca/trading-api.json). Only the fields we use are parsed; the rest pass unread.
 * Decimals travel as strings and are parsed to numbers here; a string that is not a finite decimal
 * fails the parse, as does any status or enum value the spec does not list.
 */
import * as z from '../../zod.ts';

/** A decimal sent as a string ("12.5"), parsed to a number. */
export const AlpacaDecimal = z.pipe(
  z.string().check(z.regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string')),
  z.transform((value: string) => Number(value)),
);

/** A timestamp (ISO 8601 with an offset), normalised to UTC ISO. */
export const AlpacaTimestamp = z.pipe(
  z.iso.datetime({ offset: true }),
  z.transform((value: string) => new Date(value).toISOString()),
);

/** Every order status the spec lists. */
export const ALPACA_ORDER_STATUSES = [
  'new',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
  'accepted_for_bidding',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'held',
] as const;
/** An Alpaca order status. */
export type AlpacaOrderStatus = (typeof ALPACA_ORDER_STATUSES)[number];

const AlpacaOrderFields = {
  id: z.string().check(z.minLength(1)),
  client_order_id: z.string(),
  symbol: z.string().check(z.minLength(1)),
  side: z.enum(['buy', 'sell']),
  /** Null for a notional order until Alpaca knows the quantity. */
  qty: z.nullable(AlpacaDecimal),
  notional: z.nullable(AlpacaDecimal),
  filled_qty: AlpacaDecimal,
  filled_avg_price: z.nullish(AlpacaDecimal),
  status: z.enum(ALPACA_ORDER_STATUSES),
  replaced_by: z.nullish(z.string()),
  created_at: AlpacaTimestamp,
  submitted_at: z.nullish(AlpacaTimestamp),
  updated_at: z.nullish(AlpacaTimestamp),
};

/** An order (Order in the spec); its legs, when present, are orders too. */
export const AlpacaOrder = z.object({
  ...AlpacaOrderFields,
  legs: z.nullish(z.array(z.object(AlpacaOrderFields))),
});
/** An Alpaca order. */
export type AlpacaOrder = z.infer<typeof AlpacaOrder>;

/** A page of GET /v2/orders. */
export const AlpacaOrderList = z.array(AlpacaOrder);

/** The account (Account in the spec): the spec requires only id and status, we need the money too. */
export const AlpacaAccount = z.object({
  cash: AlpacaDecimal,
  equity: AlpacaDecimal,
  buying_power: AlpacaDecimal,
  currency: z._default(z.string(), 'USD'),
  trading_blocked: z.optional(z.boolean()),
  account_blocked: z.optional(z.boolean()),
  trade_suspended_by_user: z.optional(z.boolean()),
});
/** An Alpaca account. */
export type AlpacaAccount = z.infer<typeof AlpacaAccount>;

/** A position (Position in the spec). */
export const AlpacaPosition = z.object({
  symbol: z.string().check(z.minLength(1)),
  qty: AlpacaDecimal,
  avg_entry_price: AlpacaDecimal,
  side: z.enum(['long', 'short']),
});
/** The answer of GET /v2/positions. */
export const AlpacaPositionList = z.array(AlpacaPosition);

/** The market clock of GET /v2/clock (legacy_clock in the spec). */
export const AlpacaClock = z.object({
  timestamp: AlpacaTimestamp,
  is_open: z.boolean(),
  next_open: AlpacaTimestamp,
  next_close: AlpacaTimestamp,
});

/**
 * A FILL activity (TradingActivities in the spec). The spec types `side` as a free string; Alpaca
 * reports a short sale as `sell_short`, which is a sell to us.
 */
export const AlpacaFillActivity = z.object({
  id: z.string().check(z.minLength(1)),
  order_id: z.string().check(z.minLength(1)),
  symbol: z.string().check(z.minLength(1)),
  side: z.enum(['buy', 'sell', 'sell_short']),
  qty: AlpacaDecimal,
  price: AlpacaDecimal,
  cum_qty: z.optional(AlpacaDecimal),
  transaction_time: AlpacaTimestamp,
});
/** One fill activity. */
export type AlpacaFillActivity = z.infer<typeof AlpacaFillActivity>;

/** A page of GET /v2/account/activities/FILL. */
export const AlpacaFillActivityList = z.array(AlpacaFillActivity);

/** Alpaca's error body (Error in the spec: `code` is a number); some answers carry only a message. */
export const AlpacaErrorBody = z.object({
  code: z.optional(z.number()),
  message: z.string(),
});
