/**
 * The canonical alert: aliases people use in TradingView messages resolved to one name each,
 * the nested `{"strategy":{...},"bar":{...}}` template flattened, values validated with zod.
 * Pure: no I/O, no clock.
 */
import * as z from '../zod.ts';
import { type BodyFields, isRecord } from './alert-body.ts';

/** Canonical field name -> the names accepted for it, first match wins. */
const ALIASES = {
  passphrase: ['passphrase', 'secret', 'key', 'token'],
  symbol: ['symbol', 'ticker'],
  exchange: ['exchange'],
  action: ['action', 'side', 'order_action'],
  quantity: ['quantity', 'qty', 'contracts', 'order_contracts'],
  price: ['price', 'order_price', 'close'],
  id: ['id', 'alert_id'],
  // {{timenow}} is when the alert fired; {{time}} is the bar's open time: prefer the former when both are sent.
  time: ['timenow', 'time', 'timestamp'],
  marketPosition: ['market_position', 'sentiment'],
  positionSize: ['position_size'],
  prevMarketPosition: ['prev_market_position'],
  strategy: ['strategy'],
  orderName: ['order_id'],
  type: ['type', 'order_type'],
  limitPrice: ['limit_price'],
  stopPrice: ['stop_price'],
  trailPercent: ['trail_percent'],
  timeInForce: ['time_in_force', 'tif'],
  extendedHours: ['extended_hours'],
  takeProfit: ['take_profit'],
  stopLoss: ['stop_loss'],
  comment: ['comment'],
} as const satisfies Record<string, readonly string[]>;

type CanonicalName = keyof typeof ALIASES;

/** What the alert asks for: buy/long, sell/short, or exit/close/flat (close the position). */
export type AlertAction = 'buy' | 'sell' | 'exit';
/** A strategy's position direction as TradingView reports it. */
export type MarketPosition = 'long' | 'short' | 'flat';

const ACTIONS: Record<string, { action: AlertAction; opensShort: boolean }> = {
  buy: { action: 'buy', opensShort: false },
  long: { action: 'buy', opensShort: false },
  sell: { action: 'sell', opensShort: false },
  short: { action: 'sell', opensShort: true },
  exit: { action: 'exit', opensShort: false },
  close: { action: 'exit', opensShort: false },
  flat: { action: 'exit', opensShort: false },
};

const PLACEHOLDER = /\{\{[^}]*\}\}/;

const decimal = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value),
  z.number({ error: 'must be a number' }),
);
const positiveDecimal = z.pipe(decimal, z.number().check(z.positive('must be greater than 0')));
const lowerText = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.string(),
);
/** A JSON number where text is expected, as its text. */
const numberAsText = (schema: z.ZodMiniString) =>
  z.preprocess((value) => (typeof value === 'number' ? String(value) : value), schema);
const positionDirection = z.optional(z.pipe(lowerText, z.enum(['long', 'short', 'flat'])));

const AlertSchema = z.object({
  // A JSON number passphrase is accepted by findPassphrase, so it must not fail validation here.
  passphrase: z.optional(numberAsText(z.string())),
  symbol: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value),
    z
      .string({ error: 'is required' })
      .check(
        z.regex(
          /^(?:[A-Z0-9_.!-]+:)?[A-Z0-9][A-Z0-9./_!-]{0,31}$/,
          'must be a ticker such as AAPL or NASDAQ:AAPL',
        ),
      ),
  ),
  exchange: z.optional(z.string()),
  action: z.pipe(
    lowerText,
    z.enum(Object.keys(ACTIONS) as [keyof typeof ACTIONS], {
      error: 'must be one of buy, sell, long, short, exit, close, flat',
    }),
  ),
  quantity: z.optional(positiveDecimal),
  price: z.optional(positiveDecimal),
  id: z.optional(numberAsText(z.string().check(z.maxLength(128)))),
  time: z.optional(
    z.preprocess(toIsoTime, z.iso.datetime({ error: 'must be an ISO-8601 time or epoch milliseconds' })),
  ),
  marketPosition: positionDirection,
  positionSize: z.optional(decimal),
  prevMarketPosition: positionDirection,
  strategy: z.optional(z.string().check(z.maxLength(64))),
  orderName: z.optional(numberAsText(z.string())),
  type: z._default(
    z.pipe(lowerText, z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'])),
    'market',
  ),
  limitPrice: z.optional(positiveDecimal),
  stopPrice: z.optional(positiveDecimal),
  trailPercent: z.optional(positiveDecimal),
  timeInForce: z._default(z.pipe(lowerText, z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'])), 'day'),
  extendedHours: z.optional(
    z.preprocess(
      (value) => {
        const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
        return text === 'true' ? true : text === 'false' ? false : value;
      },
      z.boolean({ error: 'must be true or false' }),
    ),
  ),
  takeProfit: z.optional(positiveDecimal),
  stopLoss: z.optional(positiveDecimal),
  comment: z.optional(z.string().check(z.maxLength(256))),
});

/** A validated alert in canonical form. */
export type Alert = Omit<z.infer<typeof AlertSchema>, 'action'> & {
  action: AlertAction;
  /** True when the message said `short`: the strategy means to open or add to a short. */
  opensShort: boolean;
};

/** One problem with one field, named as the sender wrote it. */
export interface FieldError {
  field: string;
  message: string;
}

/** The outcome of validating body fields. */
export type ParseAlertResult = { ok: true; alert: Alert } | { ok: false; errors: FieldError[] };

/** Picks the passphrase out of body fields (any alias), without validating anything else. */
export function findPassphrase(fields: BodyFields): string | undefined {
  const value = pick(fields, 'passphrase')?.value;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Resolves aliases and validates; every bad field is reported, named as it was sent. */
export function parseAlert(fields: BodyFields): ParseAlertResult {
  const flat = flatten(fields);
  const errors = findPlaceholders(fields);
  const canonical: Record<string, unknown> = {};
  const sentAs: Record<string, string> = {};
  for (const name of Object.keys(ALIASES) as CanonicalName[]) {
    const found = pick(flat, name);
    if (found === undefined || found.value === null || found.value === '') continue;
    canonical[name] = found.value;
    sentAs[name] = found.sentAs;
  }
  if (errors.length > 0) return { ok: false, errors };

  const result = AlertSchema.safeParse(canonical);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'body');
        return { field: sentAs[name] ?? name, message: issue.message };
      }),
    };
  }
  const { action, ...rest } = result.data;
  const meaning = ACTIONS[action] ?? { action: 'buy', opensShort: false };
  const alert: Alert = { ...rest, action: meaning.action, opensShort: meaning.opensShort };
  const prefixed = /^([^:]+):(.+)$/.exec(alert.symbol);
  if (prefixed?.[1] && prefixed[2]) {
    alert.exchange ??= prefixed[1];
    alert.symbol = prefixed[2];
  }
  if (alert.action === 'sell' && alert.marketPosition === 'short') alert.opensShort = true;
  const crossErrors = checkOrderFields(alert);
  return crossErrors.length > 0 ? { ok: false, errors: crossErrors } : { ok: true, alert };
}

/** Order types need their prices. */
function checkOrderFields(alert: Alert): FieldError[] {
  const errors: FieldError[] = [];
  const needsLimit = alert.type === 'limit' || alert.type === 'stop_limit';
  const needsStop = alert.type === 'stop' || alert.type === 'stop_limit';
  if (needsLimit && alert.limitPrice === undefined && alert.price === undefined) {
    errors.push({ field: 'limit_price', message: `is required for a ${alert.type} order` });
  }
  if (needsStop && alert.stopPrice === undefined) {
    errors.push({ field: 'stop_price', message: `is required for a ${alert.type} order` });
  }
  if (alert.type === 'trailing_stop' && alert.trailPercent === undefined) {
    errors.push({ field: 'trail_percent', message: 'is required for a trailing_stop order' });
  }
  return errors;
}

/**
 * The nested template puts order fields under `strategy` and bar values under `bar`; lift them to
 * the top level without overwriting what is already there. Keys are matched case-insensitively.
 */
function flatten(fields: BodyFields): BodyFields {
  const flat: BodyFields = {};
  for (const [key, value] of Object.entries(fields)) flat[key.toLowerCase()] = value;
  const nested = flat.strategy;
  if (isRecord(nested)) {
    delete flat.strategy;
    for (const [key, value] of Object.entries(nested)) {
      const name = key.toLowerCase();
      if (name === 'name') flat.strategy ??= value;
      else flat[name] ??= value;
    }
  }
  const bar = flat.bar;
  if (isRecord(bar)) {
    if (bar.close !== undefined) flat.close ??= bar.close;
    if (bar.time !== undefined) flat.bar_time ??= bar.time;
  }
  return flat;
}

function pick(fields: BodyFields, name: CanonicalName): { value: unknown; sentAs: string } | undefined {
  for (const alias of ALIASES[name]) {
    for (const [key, value] of Object.entries(fields)) {
      if (key.toLowerCase() === alias && value !== undefined && value !== null && value !== '') {
        return { value, sentAs: key };
      }
    }
  }
  return undefined;
}

function findPlaceholders(fields: BodyFields, prefix = ''): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const field = prefix + key;
    if (typeof value === 'string' && PLACEHOLDER.test(value)) {
      const placeholder = PLACEHOLDER.exec(value)?.[0] ?? value;
      errors.push({ field, message: `unrendered TradingView placeholder ${placeholder}` });
    } else if (isRecord(value)) {
      errors.push(...findPlaceholders(value, `${field}.`));
    }
  }
  return errors;
}

function toIsoTime(value: unknown): unknown {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{10,13}$/.test(value.trim()))) {
    const n = Number(value);
    const ms = n < 1e12 ? n * 1000 : n;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  if (typeof value === 'string') {
    const date = new Date(value.trim());
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  return value;
}
