/**
 * Makes each account's broker connection: Alpaca with keys from the environment or a secret, Schwab
 * with its app credentials from the environment or a secret and its rotating tokens in that secret
 * (or, without one, in a file in DATA_DIR that `npm run schwab:login` writes). Paper brokers are made
 * by buildDeps, which needs nothing read first.
 *
 * The Alpaca and Schwab adapters are imported when an account uses them: a deployment on the paper
 * broker neither evaluates their modules nor builds their schemas at start-up.
 */
import type { BrokerPort } from '../brokers/port.ts';
import { type BrokerConfig, type Config, ConfigError } from '../config.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { AlpacaSecret, readSecret } from '../secrets/secret-values.ts';
import { OrderStore } from '../store/order-store.ts';
import type { TableRef } from '../store/table.ts';
import { accountConfigs } from './build-deps.ts';
import type { Logger } from './logger.ts';
import { METRIC, type Metrics } from './metrics.ts';
import { schwabOrderMemory } from './schwab-order-memory.ts';

/** What making brokers needs. */
export interface BrokerFactoryContext {
  table: TableRef;
  /** Where secret ids point (Secrets Manager on AWS); absent when no secret id is configured. */
  secrets?: SecretStore | undefined;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
  fetch?: typeof fetch;
}

/** The brokers of every account that is not on the paper broker, by account id. */
export async function createBrokers(
  config: Config,
  ctx: BrokerFactoryContext,
): Promise<Map<string, BrokerPort>> {
  const made = new Map<string, BrokerPort>();
  for (const account of accountConfigs(config)) {
    const { accountId, broker } = account;
    if (broker.kind === 'alpaca') made.set(accountId, await alpacaBroker(broker, ctx));
    if (broker.kind === 'schwab') made.set(accountId, await schwabBroker(config, accountId, broker, ctx));
  }
  return made;
}

async function alpacaBroker(broker: BrokerConfig, ctx: BrokerFactoryContext): Promise<BrokerPort> {
  const { baseUrl, keyId, secretKey, secretId } = broker.alpaca;
  const keys = secretId
    ? await readSecret(needStore(ctx, secretId), secretId, AlpacaSecret)
    : { keyId, secretKey };
  if (!keys.keyId || !keys.secretKey) {
    throw new ConfigError([
      'broker.alpaca: set APCA_API_KEY_ID and APCA_API_SECRET_KEY, or broker.alpaca.secretId',
    ]);
  }
  const { AlpacaBroker } = await import('../brokers/alpaca/alpaca-broker.ts');
  return new AlpacaBroker(
    { baseUrl, keyId: keys.keyId, secretKey: keys.secretKey, requestTimeoutMs: broker.requestTimeoutMs },
    { now: ctx.now, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) },
  );
}

async function schwabBroker(
  config: Config,
  accountId: string,
  broker: BrokerConfig,
  ctx: BrokerFactoryContext,
): Promise<BrokerPort> {
  const [
    { SchwabBroker },
    { FileSchwabTokenStore, readSchwabSecret, SCHWAB_TOKENS_FILE, SecretSchwabTokenStore },
  ] = await Promise.all([
    import('../brokers/schwab/schwab-broker.ts'),
    import('../brokers/schwab/schwab-token-store.ts'),
  ]);
  const { secretId } = broker.schwab;
  const app = secretId ? await readSchwabSecret(needStore(ctx, secretId), secretId) : broker.schwab;
  if (!app.appKey || !app.appSecret) {
    throw new ConfigError([
      'broker.schwab: set SCHWAB_APP_KEY and SCHWAB_APP_SECRET, or broker.schwab.secretId',
    ]);
  }
  const tokens = secretId
    ? new SecretSchwabTokenStore(needStore(ctx, secretId), secretId)
    : new FileSchwabTokenStore(config.dataDir, schwabTokensFile(config, accountId, SCHWAB_TOKENS_FILE));
  return new SchwabBroker(
    {
      baseUrl: broker.schwab.baseUrl,
      appKey: app.appKey,
      appSecret: app.appSecret,
      accountNumber: app.accountNumber ?? broker.schwab.accountNumber,
      callbackUrl: app.callbackUrl ?? broker.schwab.callbackUrl,
    },
    tokens,
    schwabOrderMemory(new OrderStore(ctx.table, accountId)),
    {
      now: ctx.now,
      log: ctx.log,
      timeoutMs: broker.requestTimeoutMs,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      onRefreshTokenExpiring: (hoursLeft) =>
        ctx.metrics.record(METRIC.schwabRefreshHoursLeft, hoursLeft, 'Count', { Account: accountId }),
    },
  );
}

function needStore(ctx: BrokerFactoryContext, secretId: string): SecretStore {
  if (ctx.secrets) return ctx.secrets;
  throw new ConfigError([`secret ${secretId}: no secret store is configured`]);
}

/**
 * The file in DATA_DIR a Schwab account's tokens are kept in when no secret is configured: the one
 * `npm run schwab:login` writes for the default account (`defaultFile`), a named one for each other
 * account.
 */
export function schwabTokensFile(config: Config, accountId: string, defaultFile: string): string {
  return accountId === config.account.id ? defaultFile : `schwab-tokens-${accountId}.json`;
}
