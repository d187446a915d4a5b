/**
 * The configuration's zod schema: every section, its defaults and limits. src/config.ts reads it from
 * the environment and files.
 */
import { accountKey } from './domain/ids.ts';
import { CRYPTO_PATTERN, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS } from './domain/market-hours.ts';
import * as z from './zod.ts';

export { CRYPTO_PATTERN, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS };

/** TradingView's published webhook source addresses. */
export const TRADINGVIEW_IPS = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] as const;

const accountName = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only'));
const positive = z.number().check(z.positive());
const optionalLimit = z.optional(positive);
const positiveInt = z.int().check(z.positive());
const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'));
const symbolList = z.array(z.string().check(z.trim(), z.minLength(1), z.toUpperCase()));
const isoDay = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'));
const nonEmpty = z.string().check(z.minLength(1));
const percent = z.number().check(z.gt(0), z.lte(100));
const rate = z.number().check(z.gte(0), z.lte(1));

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
  percentOfEquity: z.optional(percent),
  riskPercent: z.optional(percent),
  allowFractional: z.boolean(),
};
const SizingSchema = z.strictObject({
  ...SizingFields,
  mode: z._default(SizingFields.mode, 'alert'),
  allowFractional: z._default(SizingFields.allowFractional, false),
});
const StrategySchema = z.strictObject({
  sizing: z.optional(z.partial(z.strictObject(SizingFields))),
  cooldownSeconds: z.optional(positiveInt),
  /** The accounts this strategy's alerts go to, each separately; the default account when absent. */
  accounts: z.optional(z.array(accountName).check(z.minLength(1))),
});

const PaperSchema = z.prefault(
  z.strictObject({
    startingCash: z._default(positive, 100_000),
    slippageBps: z._default(z.number().check(z.gte(0), z.lte(1000)), 2),
    commissionPerShare: z._default(z.number().check(z.gte(0)), 0),
    commissionPercent: z._default(z.number().check(z.gte(0), z.lte(5)), 0),
    minCommission: z._default(z.number().check(z.gte(0)), 0),
    partialFillRatio: z._default(z.number().check(z.gt(0), z.lte(1)), 1),
    latencyMs: z._default(z.int().check(z.gte(0), z.lte(10_000)), 0),
    faults: z.prefault(
      z.strictObject({
        errorRate: z._default(rate, 0),
        timeoutAfterAcceptRate: z._default(rate, 0),
        rejectRate: z._default(rate, 0),
        rateLimitRate: z._default(rate, 0),
        retryAfterMs: z._default(z.int().check(z.gte(0), z.lte(60_000)), 1000),
      }),
      {},
    ),
  }),
  {},
);

/** Alpaca's paper trading endpoint, the default: live trading is a deliberate change of URL and keys. */
export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
/** Schwab's Trader API host. */
export const SCHWAB_API_URL = 'https://api.schwabapi.com';

const BrokerSchema = z
  .strictObject({
    kind: z._default(z.enum(['paper', 'alpaca', 'schwab']), 'paper'),
    paper: z.prefault(PaperSchema, {}),
    alpaca: z.prefault(
      z.strictObject({
        baseUrl: z._default(z.url(), ALPACA_PAPER_URL),
        keyId: z.optional(nonEmpty),
        secretKey: z.optional(nonEmpty),
        /** A Secrets Manager secret holding { keyId, secretKey }, read at start-up instead. */
        secretId: z.optional(nonEmpty),
      }),
      {},
    ),
    schwab: z.prefault(
      z.strictObject({
        baseUrl: z._default(z.url(), SCHWAB_API_URL),
        appKey: z.optional(nonEmpty),
        appSecret: z.optional(nonEmpty),
        callbackUrl: z._default(z.url(), 'https://127.0.0.1'),
        /** Which of the login's accounts to trade; the first when absent. */
        accountNumber: z.optional(nonEmpty),
        /** A Secrets Manager secret holding the app key, secret and the rotating tokens. */
        secretId: z.optional(nonEmpty),
      }),
      {},
    ),
    requestTimeoutMs: z._default(z.int().check(z.gte(100), z.lte(30_000)), 5000),
    circuit: z.prefault(
      z.strictObject({
        failureThreshold: z._default(z.int().check(z.gte(1), z.lte(1000)), 5),
        openSeconds: z._default(z.int().check(z.gte(1), z.lte(3600)), 30),
      }),
      {},
    ),
  })
  .check(
    z.superRefine((broker, ctx) => {
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
    }),
  );

const RiskSchema = z.strictObject({
  tradingState: z._default(z.enum(['ACTIVE', 'REDUCING', 'HALTED']), 'ACTIVE'),
  onDailyLossBreach: z._default(z.enum(['REDUCING', 'HALTED']), 'REDUCING'),
  allowShort: z._default(z.boolean(), false),
  symbolAllowlist: z._default(symbolList, []),
  symbolDenylist: z._default(symbolList, []),
  allowedAssetClasses: z._default(z.array(z.enum(['us_equity', 'crypto'])).check(z.minLength(1)), [
    'us_equity',
    'crypto',
  ]),
  maxOrderQty: optionalLimit,
  maxOrderNotional: optionalLimit,
  minOrderNotional: optionalLimit,
  maxPositionQty: optionalLimit,
  maxPositionNotional: optionalLimit,
  maxOpenPositions: z.optional(positiveInt),
  maxTotalExposure: optionalLimit,
  maxStrategyExposure: optionalLimit,
  maxDailyLoss: optionalLimit,
  maxDailyLossWithUnrealized: optionalLimit,
  maxOrdersPerMinute: z.optional(positiveInt),
  maxOrdersPerDay: z.optional(positiveInt),
  maxStrategyOrdersPerMinute: z.optional(positiveInt),
  maxStrategyOrdersPerDay: z.optional(positiveInt),
  maxAlertAgeSeconds: z._default(positiveInt, 60),
  maxFutureSkewSeconds: z._default(z.int().check(z.gte(0)), 5),
  rejectOutOfOrder: z._default(z.boolean(), true),
  priceBandPercent: z.optional(percent),
  strategyCooldownSeconds: z.optional(positiveInt),
  checkBuyingPower: z._default(z.boolean(), true),
  pdt: z.prefault(
    z.strictObject({
      enforce: z._default(z.boolean(), true),
      accountType: z._default(z.enum(['margin', 'cash']), 'margin'),
      minEquity: z._default(positive, 25_000),
      maxDayTrades: z._default(z.int().check(z.gte(0)), 3),
    }),
    {},
  ),
});

/**
 * A routed account besides the default one: its own broker connection and risk limits. Its risk
 * section is merged over the top-level one before validation, so it names only what differs.
 */
const AccountSchema = z.strictObject({
  broker: z.prefault(BrokerSchema, {}),
  risk: z.prefault(RiskSchema, {}),
  driftPolicy: z.optional(z.enum(['alert', 'adopt', 'halt'])),
});

/** The whole configuration. */
export const ConfigSchema = z
  .strictObject({
    server: z.prefault(
      z.strictObject({
        port: z._default(z.int().check(z.gte(0), z.lte(65535)), 8787),
        host: z._default(nonEmpty, '127.0.0.1'),
      }),
      {},
    ),
    dataDir: z._default(nonEmpty, '.pinebridge'),
    webhook: z.prefault(
      z.strictObject({
        passphrase: z.optional(z.string().check(z.minLength(8, 'must be at least 8 characters'))),
        maxBodyBytes: z._default(z.int().check(z.gte(256), z.lte(262_144)), 16_384),
        ipAllowlist: z.prefault(
          z.strictObject({
            enabled: z._default(z.boolean(), false),
            ips: z._default(z.array(nonEmpty), [...TRADINGVIEW_IPS]),
          }),
          {},
        ),
        dedupeWindowSeconds: z._default(z.int().check(z.gte(30), z.lte(604_800)), 300),
        deadlineMs: z._default(z.int().check(z.gte(200), z.lte(2900)), 2500),
      }),
      {},
    ),
    api: z.prefault(
      z.strictObject({
        token: z.optional(z.string().check(z.minLength(16, 'must be at least 16 characters'))),
      }),
      {},
    ),
    dynamodb: z.prefault(
      z.strictObject({
        endpoint: z.optional(z.url()),
        region: z._default(nonEmpty, 'us-east-1'),
        tableName: z._default(z.string().check(z.minLength(3), z.maxLength(255)), 'pinebridge'),
      }),
      {},
    ),
    account: z.prefault(
      z.strictObject({
        id: z._default(accountName, 'default'),
        timeZone: z._default(nonEmpty, 'America/New_York'),
      }),
      {},
    ),
    broker: z.prefault(BrokerSchema, {}),
    accounts: z._default(z.record(accountName, AccountSchema), {}),
    secrets: z.prefault(
      z.strictObject({
        appSecretId: z.optional(nonEmpty),
        endpoint: z.optional(z.url()),
        ttlSeconds: z._default(z.int().check(z.gte(0), z.lte(86_400)), 300),
      }),
      {},
    ),
    sizing: z.prefault(SizingSchema, {}),
    strategies: z._default(z.record(nonEmpty, StrategySchema), {}),
    risk: z.prefault(RiskSchema, {}),
    market: z.prefault(
      z.strictObject({
        enforceHours: z._default(z.boolean(), true),
        timeZone: z._default(nonEmpty, 'America/New_York'),
        open: z._default(clock, '09:30'),
        close: z._default(clock, '16:00'),
        extendedOpen: z._default(clock, '04:00'),
        extendedClose: z._default(clock, '20:00'),
        holidays: z._default(z.array(isoDay), [...NYSE_HOLIDAYS]),
        earlyCloses: z._default(z.record(isoDay, clock), { ...NYSE_EARLY_CLOSES }),
        cryptoPattern: z._default(
          z.string().check(z.minLength(1), z.refine(isRegExp, 'must be a valid regular expression')),
          CRYPTO_PATTERN,
        ),
      }),
      {},
    ),
    reconcile: z.prefault(
      z.strictObject({
        intervalSeconds: z._default(z.int().check(z.gte(1), z.lte(3600)), 5),
        driftPolicy: z._default(z.enum(['alert', 'adopt', 'halt']), 'alert'),
      }),
      {},
    ),
    alerts: z.prefault(
      z.strictObject({ retentionDays: z._default(z.int().check(z.gte(1), z.lte(3650)), 90) }),
      {},
    ),
    log: z.prefault(
      z.strictObject({
        level: z._default(z.enum(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
      }),
      {},
    ),
  })
  .check(
    z.superRefine((config, ctx) => {
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
    }),
  );

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
