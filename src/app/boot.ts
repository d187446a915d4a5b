/**
 * Start-up shared by the Lambda entries and the local server: configuration from the environment,
 * secrets (Secrets Manager on AWS, read once per container and cached), the DynamoDB clients, the
 * brokers, the dependencies, and every account's book.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'hono';
import { type Config, loadConfig } from '../config.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { AppSecret, readSecret } from '../secrets/secret-values.ts';
import { createSecretsManagerStore } from '../secrets/secrets-manager-store.ts';
import { createDynamoClients } from '../store/table.ts';
import * as z from '../zod.ts';
import { createBrokers } from './broker-factory.ts';
import { accountConfigs, buildDeps, type Deps } from './build-deps.ts';
import { errorFields, jsonLogger, type Logger, type LogLevel } from './logger.ts';
import { MemoryMetrics, type Metrics } from './metrics.ts';
import { refreshBrokerSnapshot } from './reconcile-pass.ts';

/** Builds the dependencies from `env`; throws ConfigError listing every configuration problem. */
export async function bootFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  sourceIp: (c: Context) => string | undefined,
  observability: Observability = {},
): Promise<Deps> {
  const loaded = loadConfig(env);
  const log = (observability.logger ?? jsonLogger)(loaded.log.level);
  const metrics = observability.metrics;
  const secrets = secretStoreFor(loaded, log);
  const config = await withAppSecret(loaded, secrets);
  const { doc } = createDynamoClients(config.dynamodb);
  return bootWith(config, { doc, sourceIp, log, secrets, metrics });
}

/** Where logs and metrics go (the Lambda entries pass Powertools-backed ones). */
export interface Observability {
  logger?: (level: LogLevel) => Logger;
  metrics?: Metrics;
}

/** What start-up is given besides the configuration. */
export interface BootRuntime {
  doc: DynamoDBDocumentClient;
  sourceIp: (c: Context) => string | undefined;
  log: Logger;
  secrets?: SecretStore | undefined;
  metrics?: Metrics | undefined;
}

/** Makes the brokers, builds the dependencies and prepares every account's book. */
export async function bootWith(config: Config, runtime: BootRuntime): Promise<Deps> {
  const { doc, log, secrets } = runtime;
  const now = () => new Date();
  const table = { doc, tableName: config.dynamodb.tableName };
  const metrics = runtime.metrics ?? new MemoryMetrics();
  const brokers = await createBrokers(config, { table, secrets, log, now, metrics });
  const deps = buildDeps(config, { doc, sourceIp: runtime.sourceIp, log, brokers, metrics });
  await prepareAccounts(deps, config);
  return deps;
}

/**
 * A Secrets Manager store when any secret id is configured (cached per container), else none. Local
 * mode passes `local`, a store of files in DATA_DIR, used unless a Secrets Manager endpoint is set.
 */
export function secretStoreFor(config: Config, log: Logger, local?: SecretStore): SecretStore | undefined {
  const brokers = accountConfigs(config).map((account) => account.broker);
  const wanted =
    config.secrets.appSecretId !== undefined ||
    brokers.some((broker) => broker.alpaca.secretId !== undefined || broker.schwab.secretId !== undefined);
  if (!wanted) return undefined;
  if (local !== undefined && config.secrets.endpoint === undefined) return local;
  return createSecretsManagerStore({
    region: config.dynamodb.region,
    endpoint: config.secrets.endpoint,
    ttlMs: config.secrets.ttlSeconds * 1000,
    log,
  });
}

/**
 * The configuration with the webhook passphrase and API token from the app secret, where the
 * environment set none: the secret must hold what the environment lacks.
 */
export async function withAppSecret(config: Config, secrets: SecretStore | undefined): Promise<Config> {
  const secretId = config.secrets.appSecretId;
  if (secretId === undefined || secrets === undefined) return config;
  const { passphrase } = config.webhook;
  const token = config.api.token;
  if (passphrase !== undefined && token !== undefined) return config;
  const wanted = z.pick(AppSecret, {
    ...(passphrase === undefined ? { webhookPassphrase: true } : {}),
    ...(token === undefined ? { apiToken: true } : {}),
  } as const);
  const secret: Partial<AppSecret> = await readSecret(secrets, secretId, wanted);
  return {
    ...config,
    webhook: { ...config.webhook, passphrase: passphrase ?? secret.webhookPassphrase },
    api: { token: token ?? secret.apiToken },
  };
}

/**
 * Makes sure every account's book exists, and reads the broker's account figures into it when it has
 * none yet (sizing by equity and the buying-power check need them). Once there, every reconcile pass
 * refreshes them, so a start-up does not call the broker again. A book with the figures exists, so
 * the usual start-up reads it and is done: one round trip per account.
 */
export async function prepareAccounts(deps: Deps, config: Config): Promise<void> {
  const initial = new Map(
    accountConfigs(config).map((account) => [account.accountId, account.risk.tradingState]),
  );
  await Promise.all(
    deps.routing.accounts.map(async (account) => {
      if ((await account.book.get()).broker !== undefined) return;
      await account.book.ensure(initial.get(account.accountId) ?? 'ACTIVE', deps.now());
      await refreshBrokerSnapshot({ ...account, now: deps.now }).catch((error: unknown) =>
        deps.log.warn('broker account not read at start-up', {
          accountId: account.accountId,
          ...errorFields(error),
        }),
      );
    }),
  );
}
