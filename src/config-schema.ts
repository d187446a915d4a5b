/**
 * The configuration's zod schema: every section, its defaults and limits. src/config.ts reads it from
 * the environment and files.
 */
import { z } from 'zod';
import { accountKey } from './domain/ids.ts';
import { CRYPTO_PATTERN, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS } from './domain/market-hours.ts';

export { CRYPTO_PATTERN, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS };

/** TradingView's published webhook source addresses. */
export const TRADINGVIEW_IPS = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] as const;

const accountName = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only');
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
  /** The accounts this strategy's alerts go to, each separately; the default account when absent. */
  accounts: z.array(accountName).min(1).optional(),
});

const PaperSchema = z
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
  .prefault({});

/** Alpaca's paper trading endpoint, the default: live trading is a deliberate change of URL and keys. */
export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
/** Schwab's Trader API host. */
export const SCHWAB_API_URL = 'https://api.schwabapi.com';

const BrokerSchema = z
  .strictObject({
    kind: z.enum(['paper', 'alpaca', 'schwab']).default('paper'),
    paper: PaperSchema.prefault({}),
    alpaca: z
      .strictObject({
        baseUrl: z.url().default(ALPACA_PAPER_URL),
        keyId: z.string().min(1).optional(),
        secretKey: z.string().min(1).optional(),
        /** A Secrets Manager secret holding { keyId, secretKey }, read at start-up instead. */
        secretId: z.string().min(1).optional(),
      })
      .prefault({}),
    schwab: z
      .strictObject({
        baseUrl: z.url().default(SCHWAB_API_URL),
        appKey: z.string().min(1).optional(),
        appSecret: z.string().min(1).optional(),
        callbackUrl: z.url().default('https://127.0.0.1'),
        /** Which of the login's accounts to trade; the first when absent. */
        accountNumber: z.string().min(1).optional(),
        /** A Secrets Manager secret holding the app key, secret and the rotating tokens. */
        secretId: z.string().min(1).optional(),
      })
      .prefault({}),
    requestTimeoutMs: z.number().int().min(100).max(30_000).default(5000),
    circuit: z
      .strictObject({
        failureThreshold: z.number().int().min(1).max(1000).default(5),
        openSeconds: z.number().int().min(1).max(3600).default(30),
      })
      .prefault({}),
  })
  .superRefine((broker, ctx) => {
    const { alpaca, schwab } = broker;
    if (broker.kind === 'alpaca' && !alpaca.secretId && !(alpaca.keyId && alpaca.secretKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['alpaca'],
        message:
          'set broker.alpaca.keyId and secretKey (APCA_API_KEY_ID and APCA_API_SECRET_KEY for the default account), or broker.alpaca.secretId',
      });
    }
    if (broker.kind === 'schwab' && !schwab.secretId && !(schwab.appKey && schwab.appSecret)) {
      ctx.addIssue({
        code: 'custom',
        path: ['schwab'],
        message:
          'set broker.schwab.appKey and appSecret (SCHWAB_APP_KEY and SCHWAB_APP_SECRET for the default account), or broker.schwab.secretId',
      });
    }
  });

const RiskSchema = z.strictObject({
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
});

/**
 * A routed account besides the default one: its own broker connection and risk limits. Its risk
 * section is merged over the top-level one before validation, so it names only what differs.
 */
const AccountSchema = z.strictObject({
  broker: BrokerSchema.prefault({}),
  risk: RiskSchema.prefault({}),
  driftPolicy: z.enum(['alert', 'adopt', 'halt']).optional(),
});

/** The whole configuration. */
export const ConfigSchema = z
  .strictObject({
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
    broker: BrokerSchema.prefault({}),
    accounts: z.record(accountName, AccountSchema).default({}),
    secrets: z
      .strictObject({
        appSecretId: z.string().min(1).optional(),
        endpoint: z.url().optional(),
        ttlSeconds: z.number().int().min(0).max(86_400).default(300),
      })
      .prefault({}),
    sizing: SizingSchema.prefault({}),
    strategies: z.record(z.string().min(1), StrategySchema).default({}),
    risk: RiskSchema.prefault({}),
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
  })
  .superRefine((config, ctx) => {
    const defaultId = config.account.id;
    const names = [defaultId, ...Object.keys(config.accounts)];
    const seen = new Map<string, string>();
    for (const name of names) {
      const earlier = seen.get(accountKey(name));
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', name],
          message:
            earlier === defaultId
              ? `"${name}" is the default account (account.id): configure it with the top-level broker and risk sections`
              : `"${name}" and "${earlier}" name one account (names match ignoring case, _ and -)`,
        });
      }
      seen.set(accountKey(name), name);
    }
    for (const [name, strategy] of Object.entries(config.strategies)) {
      for (const [index, account] of (strategy.accounts ?? []).entries()) {
        if (seen.has(accountKey(account))) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['strategies', name, 'accounts', index],
          message: `no account "${account}": name ${names.join(', ')}`,
        });
      }
    }
  });

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
