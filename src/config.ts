/**
 * Configuration: one zod schema, read from the environment passed in (never from process.env below
 * this module), an optional JSON file (PINEBRIDGE_CONFIG) and PINEBRIDGE__SECTION__KEY overrides.
 * Precedence, lowest first: defaults, the JSON file, PINEBRIDGE__ overrides, the named variables
 * (PORT, HOST, ...). Every problem is reported at once in a ConfigError.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CRYPTO_PATTERN, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS } from './domain/market-hours.ts';

export { CRYPTO_PATTERN, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS };

/** TradingView's published webhook source addresses. */
export const TRADINGVIEW_IPS = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] as const;

const positive = z.number().positive();
const optionalLimit = positive.optional();
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
const symbolList = z.array(z.string().trim().min(1).toUpperCase());
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

const SIZING_MODES = [
  'fixed',
  'alert',
  'notional',
  'percentEquity',
  'riskPercent',
  'targetPosition',
] as const;
const SizingFields = {
  mode: z.enum(SIZING_MODES),
  quantity: optionalLimit,
  notional: optionalLimit,
  percentOfEquity: z.number().gt(0).max(100).optional(),
  riskPercent: z.number().gt(0).max(100).optional(),
  allowFractional: z.boolean(),
};
const SizingSchema = z.strictObject({
  ...SizingFields,
  mode: SizingFields.mode.default('alert'),
  allowFractional: SizingFields.allowFractional.default(false),
});
const StrategySchema = z.strictObject({
  sizing: z.strictObject(SizingFields).partial().optional(),
  cooldownSeconds: z.number().int().positive().optional(),
});

const ConfigSchema = z.strictObject({
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(8787),
      host: z.string().min(1).default('127.0.0.1'),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('.pinebridge'),
  webhook: z
    .strictObject({
      passphrase: z.string().min(8, 'must be at least 8 characters').optional(),
      maxBodyBytes: z.number().int().min(256).max(262_144).default(16_384),
      ipAllowlist: z
        .strictObject({
          enabled: z.boolean().default(false),
          ips: z.array(z.string().min(1)).default([...TRADINGVIEW_IPS]),
        })
        .prefault({}),
      dedupeWindowSeconds: z.number().int().min(30).max(604_800).default(300),
      deadlineMs: z.number().int().min(200).max(2900).default(2500),
    })
    .prefault({}),
  api: z
    .strictObject({ token: z.string().min(16, 'must be at least 16 characters').optional() })
    .prefault({}),
  dynamodb: z
    .strictObject({
      endpoint: z.url().optional(),
      region: z.string().min(1).default('us-east-1'),
      tableName: z.string().min(3).max(255).default('pinebridge'),
    })
    .prefault({}),
  account: z
    .strictObject({
      id: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only')
        .default('default'),
      timeZone: z.string().min(1).default('America/New_York'),
    })
    .prefault({}),
  broker: z
    .strictObject({
      kind: z.enum(['paper']).default('paper'),
      paper: z
        .strictObject({
          startingCash: positive.default(100_000),
          slippageBps: z.number().min(0).max(1000).default(2),
          commissionPerShare: z.number().min(0).default(0),
          commissionPercent: z.number().min(0).max(5).default(0),
          minCommission: z.number().min(0).default(0),
          partialFillRatio: z.number().gt(0).max(1).default(1),
          latencyMs: z.number().int().min(0).max(10_000).default(0),
          faults: z
            .strictObject({
              errorRate: z.number().min(0).max(1).default(0),
              timeoutAfterAcceptRate: z.number().min(0).max(1).default(0),
              rejectRate: z.number().min(0).max(1).default(0),
              rateLimitRate: z.number().min(0).max(1).default(0),
              retryAfterMs: z.number().int().min(0).max(60_000).default(1000),
            })
            .prefault({}),
        })
        .prefault({}),
      circuit: z
        .strictObject({
          failureThreshold: z.number().int().min(1).max(1000).default(5),
          openSeconds: z.number().int().min(1).max(3600).default(30),
        })
        .prefault({}),
    })
    .prefault({}),
  sizing: SizingSchema.prefault({}),
  strategies: z.record(z.string().min(1), StrategySchema).default({}),
  risk: z
    .strictObject({
      tradingState: z.enum(['ACTIVE', 'REDUCING', 'HALTED']).default('ACTIVE'),
      onDailyLossBreach: z.enum(['REDUCING', 'HALTED']).default('REDUCING'),
      allowShort: z.boolean().default(false),
      symbolAllowlist: symbolList.default([]),
      symbolDenylist: symbolList.default([]),
      allowedAssetClasses: z
        .array(z.enum(['us_equity', 'crypto']))
        .min(1)
        .default(['us_equity', 'crypto']),
      maxOrderQty: optionalLimit,
      maxOrderNotional: optionalLimit,
      minOrderNotional: optionalLimit,
      maxPositionQty: optionalLimit,
      maxPositionNotional: optionalLimit,
      maxOpenPositions: z.number().int().positive().optional(),
      maxTotalExposure: optionalLimit,
      maxStrategyExposure: optionalLimit,
      maxDailyLoss: optionalLimit,
      maxDailyLossWithUnrealized: optionalLimit,
      maxOrdersPerMinute: z.number().int().positive().optional(),
      maxOrdersPerDay: z.number().int().positive().optional(),
      maxStrategyOrdersPerMinute: z.number().int().positive().optional(),
      maxStrategyOrdersPerDay: z.number().int().positive().optional(),
      maxAlertAgeSeconds: z.number().int().positive().default(60),
      maxFutureSkewSeconds: z.number().int().min(0).default(5),
      rejectOutOfOrder: z.boolean().default(true),
      priceBandPercent: z.number().gt(0).max(100).optional(),
      strategyCooldownSeconds: z.number().int().positive().optional(),
      checkBuyingPower: z.boolean().default(true),
      pdt: z
        .strictObject({
          enforce: z.boolean().default(true),
          accountType: z.enum(['margin', 'cash']).default('margin'),
          minEquity: z.number().positive().default(25_000),
          maxDayTrades: z.number().int().min(0).default(3),
        })
        .prefault({}),
    })
    .prefault({}),
  market: z
    .strictObject({
      enforceHours: z.boolean().default(true),
      timeZone: z.string().min(1).default('America/New_York'),
      open: clock.default('09:30'),
      close: clock.default('16:00'),
      extendedOpen: clock.default('04:00'),
      extendedClose: clock.default('20:00'),
      holidays: z.array(isoDay).default([...NYSE_HOLIDAYS]),
      earlyCloses: z.record(isoDay, clock).default({ ...NYSE_EARLY_CLOSES }),
      cryptoPattern: z
        .string()
        .min(1)
        .refine(isRegExp, 'must be a valid regular expression')
        .default(CRYPTO_PATTERN),
    })
    .prefault({}),
  reconcile: z
    .strictObject({
      intervalSeconds: z.number().int().min(1).max(3600).default(5),
      driftPolicy: z.enum(['alert', 'adopt', 'halt']).default('alert'),
    })
    .prefault({}),
  alerts: z.strictObject({ retentionDays: z.number().int().min(1).max(3650).default(90) }).prefault({}),
  log: z
    .strictObject({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info') })
    .prefault({}),
});

/** The validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** Risk limits as configured. */
export type RiskConfig = Config['risk'];
/** Sizing settings (global, or a strategy's merged over them). */
export type SizingConfig = Config['sizing'];
/** Market calendar settings. */
export type MarketConfig = Config['market'];
/** Paper broker simulation settings. */
export type PaperConfig = Config['broker']['paper'];

/** Raised when configuration is invalid; lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string;

/** The named variables of the outside contract, mapped to config paths. */
const NAMED_VARIABLES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['PORT', ['server', 'port']],
  ['HOST', ['server', 'host']],
  ['DATA_DIR', ['dataDir']],
  ['WEBHOOK_PASSPHRASE', ['webhook', 'passphrase']],
  ['API_TOKEN', ['api', 'token']],
  ['DYNAMODB_ENDPOINT', ['dynamodb', 'endpoint']],
  ['DYNAMODB_TABLE', ['dynamodb', 'tableName']],
  ['AWS_REGION', ['dynamodb', 'region']],
  ['BROKER', ['broker', 'kind']],
];

const OVERRIDE_PREFIX = 'PINEBRIDGE__';

/** Loads and validates configuration from `env`; throws ConfigError listing every problem. */
export function loadConfig(env: Env, readFile: ReadFile = (p) => readFileSync(p, 'utf8')): Config {
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  const file = env.PINEBRIDGE_CONFIG;
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFile(file));
      if (isRecord(parsed)) raw = parsed;
      else problems.push(`PINEBRIDGE_CONFIG (${file}): must hold a JSON object`);
    } catch (error) {
      problems.push(`PINEBRIDGE_CONFIG (${file}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(OVERRIDE_PREFIX) || value === undefined) continue;
    const path = name.slice(OVERRIDE_PREFIX.length).split('__').filter(Boolean).map(snakeToCamel);
    if (path.length === 0) problems.push(`${name}: names no config key`);
    else setPath(raw, path, parseScalar(value, path.at(-1)));
  }
  for (const [name, path] of NAMED_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, parseScalar(value, path.at(-1)));
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** A printable copy of the configuration with secrets masked. */
export function maskConfig(config: Config): Config {
  return {
    ...config,
    webhook: { ...config.webhook, passphrase: config.webhook.passphrase ? '********' : undefined },
    api: { token: config.api.token ? '********' : undefined },
  };
}

/** Strings stay strings for keys that are always text (passphrases that look numeric, hosts). */
const TEXT_KEYS = new Set([
  'passphrase',
  'token',
  'host',
  'dataDir',
  'endpoint',
  'tableName',
  'region',
  'kind',
  'id',
  'timeZone',
  'open',
  'close',
  'extendedOpen',
  'extendedClose',
  'cryptoPattern',
  'mode',
]);

/** Keys that take a list: a comma-separated value becomes an array. */
const LIST_KEYS = new Set(['symbolAllowlist', 'symbolDenylist', 'allowedAssetClasses', 'holidays', 'ips']);

function parseScalar(value: string, key?: string): unknown {
  if (key && TEXT_KEYS.has(key)) return value;
  if (key && LIST_KEYS.has(key) && !value.trim().startsWith('[')) {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }
  const trimmed = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

function snakeToCamel(part: string): string {
  return part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (isRecord(next)) node = next;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
