/**
 * Configuration: one zod schema (./config-schema.ts), read from the environment passed in (never from
 * process.env below this module), an optional JSON file (PINEBRIDGE_CONFIG) and
 * PINEBRIDGE__SECTION__KEY overrides. Precedence, lowest first: defaults, the JSON file, PINEBRIDGE__
 * overrides, the named variables (PORT, HOST, APCA_API_KEY_ID, ...). An extra account's risk section
 * is merged over the top-level one. Every problem is reported at once in a ConfigError.
 */
import { readFileSync } from 'node:fs';
import { ConfigSchema } from './config-schema.ts';
import type * as z from './zod.ts';

export {
  ALPACA_PAPER_URL,
  CRYPTO_PATTERN,
  NYSE_EARLY_CLOSES,
  NYSE_HOLIDAYS,
  SCHWAB_API_URL,
  TRADINGVIEW_IPS,
} from './config-schema.ts';

/** The validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** Risk limits as configured. */
export type RiskConfig = Config['risk'];
/** Sizing settings (global, or a strategy's merged over them). */
export type SizingConfig = Config['sizing'];
/** Market calendar settings. */
export type MarketConfig = Config['market'];
/** One broker connection's settings. */
export type BrokerConfig = Config['broker'];
/** Paper broker simulation settings. */
export type PaperConfig = BrokerConfig['paper'];

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
  ['APCA_API_KEY_ID', ['broker', 'alpaca', 'keyId']],
  ['APCA_API_SECRET_KEY', ['broker', 'alpaca', 'secretKey']],
  ['APCA_API_BASE_URL', ['broker', 'alpaca', 'baseUrl']],
  ['SCHWAB_APP_KEY', ['broker', 'schwab', 'appKey']],
  ['SCHWAB_APP_SECRET', ['broker', 'schwab', 'appSecret']],
  ['SCHWAB_CALLBACK_URL', ['broker', 'schwab', 'callbackUrl']],
  ['SCHWAB_ACCOUNT_NUMBER', ['broker', 'schwab', 'accountNumber']],
  ['APP_SECRET_ID', ['secrets', 'appSecretId']],
  ['SECRETS_MANAGER_ENDPOINT', ['secrets', 'endpoint']],
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
  mergeAccountRisk(raw);
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
    webhook: { ...config.webhook, passphrase: mask(config.webhook.passphrase) },
    api: { token: mask(config.api.token) },
    broker: maskBroker(config.broker),
    accounts: Object.fromEntries(
      Object.entries(config.accounts).map(([name, account]) => [
        name,
        { ...account, broker: maskBroker(account.broker) },
      ]),
    ),
  };
}

function maskBroker(broker: BrokerConfig): BrokerConfig {
  return {
    ...broker,
    alpaca: { ...broker.alpaca, secretKey: mask(broker.alpaca.secretKey) },
    schwab: { ...broker.schwab, appSecret: mask(broker.schwab.appSecret) },
  };
}

function mask(secret: string | undefined): string | undefined {
  return secret ? '********' : undefined;
}

/** Each extra account's risk section becomes the top-level one with the account's keys over it. */
function mergeAccountRisk(raw: Record<string, unknown>): void {
  const accounts = raw.accounts;
  if (!isRecord(accounts)) return;
  const base = isRecord(raw.risk) ? raw.risk : {};
  for (const account of Object.values(accounts)) {
    if (!isRecord(account)) continue;
    account.risk = mergeDeep(base, isRecord(account.risk) ? account.risk : {});
  }
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = merged[key];
    merged[key] = isRecord(under) && isRecord(value) ? mergeDeep(under, value) : value;
  }
  return merged;
}

/** Strings stay strings for keys that are always text (passphrases that look numeric, hosts). */
const TEXT_KEYS = new Set([
  'passphrase',
  'token',
  'keyId',
  'secretKey',
  'appKey',
  'appSecret',
  'accountNumber',
  'secretId',
  'appSecretId',
  'baseUrl',
  'callbackUrl',
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
const LIST_KEYS = new Set([
  'symbolAllowlist',
  'symbolDenylist',
  'allowedAssetClasses',
  'holidays',
  'ips',
  'accounts',
]);

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
