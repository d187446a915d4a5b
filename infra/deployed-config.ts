/**
 * The configuration the functions will run with, worked out at synth time: the environment the stack
 * sets (src/deploy-contract.ts), over the optional JSON file shipped with the code. It is validated
 * with the app's own loadConfig, so a deploy with a configuration the functions would refuse fails
 * at `cdk synth`, not at the first alert. The accounts it names decide the per-account alarms and
 * which extra secrets the functions may read.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { accountConfigs } from '../src/app/build-deps.ts';
import { type BrokerConfig, type Config, ConfigError, loadConfig } from '../src/config.ts';
import { DEPLOY_ENV } from '../src/deploy-contract.ts';
import type { Settings } from './settings.ts';

/** Where the configuration file sits inside the deployed code. */
export const DEPLOYED_CONFIG_PATH = '/var/task/pinebridge.config.json';

/** A broker kind. */
export type BrokerKind = BrokerConfig['kind'];

/** The ids of the secrets the functions read, by role; tokens (ARNs) when building the stack. */
export interface SecretIds {
  app: string;
  alpaca?: string | undefined;
  schwab?: string | undefined;
}

/** One account as the monitoring and the grants see it. */
export interface DeployedAccount {
  accountId: string;
  broker: BrokerKind;
  /** A secret of an extra account, named in the configuration file (the default account's come from the stack). */
  secretId?: string | undefined;
}

/** The configuration the functions will load, and what the stack needs to know of it. */
export interface DeployedConfig {
  /** The default account's broker. */
  broker: BrokerKind;
  accounts: DeployedAccount[];
  /** The configuration file's absolute path, when one is deployed. */
  configFile?: string | undefined;
  /** The addresses allowed to post alerts. */
  allowedIps: string[];
}

const PLACEHOLDER_IDS: Required<SecretIds> = {
  app: 'deploy-placeholder/app',
  alpaca: 'deploy-placeholder/alpaca',
  schwab: 'deploy-placeholder/schwab',
};

/**
 * The environment both functions get. `tableName` and the secret ids may be CDK tokens. AWS_REGION
 * is not set here: Lambda sets it.
 */
export function functionEnvironment(
  settings: Settings,
  deployed: Pick<DeployedConfig, 'broker' | 'configFile' | 'allowedIps'>,
  refs: { tableName: string; secrets: SecretIds },
): Record<string, string> {
  const env: Record<string, string> = {
    [DEPLOY_ENV.tableName]: refs.tableName,
    [DEPLOY_ENV.broker]: deployed.broker,
    [DEPLOY_ENV.appSecretId]: refs.secrets.app,
    [DEPLOY_ENV.ipAllowlistEnabled]: 'true',
    [DEPLOY_ENV.logLevel]: settings.logLevel,
  };
  if (refs.secrets.alpaca) env[DEPLOY_ENV.alpacaSecretId] = refs.secrets.alpaca;
  if (refs.secrets.schwab) env[DEPLOY_ENV.schwabSecretId] = refs.secrets.schwab;
  if (deployed.configFile) env[DEPLOY_ENV.configFile] = DEPLOYED_CONFIG_PATH;
  if (settings.allowIps.length > 0) env[DEPLOY_ENV.ipAllowlistIps] = deployed.allowedIps.join(',');
  return env;
}

/**
 * Loads the configuration as the functions will (placeholders for the table and secrets), checks what
 * only matters on Lambda, and returns what the stack needs. Throws ConfigError listing every problem.
 */
export function resolveDeployedConfig(settings: Settings, cwd = process.cwd()): DeployedConfig {
  const configFile = settings.config ? resolve(cwd, settings.config) : undefined;
  const fileEnv = configFile ? { [DEPLOY_ENV.configFile]: configFile } : {};
  const readLocal = (path: string) =>
    readFileSync(path === DEPLOYED_CONFIG_PATH && configFile ? configFile : path, 'utf8');

  // First pass: which broker the default account uses (the -c broker setting, else the file's).
  const probe = loadConfig(
    {
      ...fileEnv,
      [DEPLOY_ENV.alpacaSecretId]: PLACEHOLDER_IDS.alpaca,
      [DEPLOY_ENV.schwabSecretId]: PLACEHOLDER_IDS.schwab,
      ...(settings.broker ? { [DEPLOY_ENV.broker]: settings.broker } : {}),
    },
    readLocal,
  );
  const broker = settings.broker ?? probe.broker.kind;
  const allowedIps = [...new Set([...probe.webhook.ipAllowlist.ips, ...settings.allowIps])];
  const shape = { broker, configFile, allowedIps };

  // Second pass: exactly the environment the functions get.
  const env = functionEnvironment(settings, shape, {
    tableName: 'deploy-placeholder-table',
    secrets: {
      app: PLACEHOLDER_IDS.app,
      alpaca: broker === 'alpaca' ? PLACEHOLDER_IDS.alpaca : undefined,
      schwab: broker === 'schwab' ? PLACEHOLDER_IDS.schwab : undefined,
    },
  });
  const config = loadConfig(env, readLocal);
  const problems = lambdaProblems(config);
  if (!config.webhook.ipAllowlist.enabled)
    problems.push('webhook.ipAllowlist.enabled: must be true when deployed');
  if (problems.length > 0) throw new ConfigError(problems);

  const accounts = accountConfigs(config).map((account, index) => ({
    accountId: account.accountId,
    broker: account.broker.kind,
    secretId: index === 0 ? undefined : brokerSecretId(account.broker),
  }));
  return { ...shape, accounts };
}

function brokerSecretId(broker: BrokerConfig): string | undefined {
  if (broker.kind === 'alpaca') return broker.alpaca.secretId;
  if (broker.kind === 'schwab') return broker.schwab.secretId;
  return undefined;
}

/** What a configuration file must not do on Lambda: carry secrets in plain text, or need a local disk. */
function lambdaProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.webhook.passphrase !== undefined || config.api.token !== undefined) {
    problems.push(
      'webhook.passphrase and api.token: put them in the app secret, not in the configuration file',
    );
  }
  for (const [name, account] of Object.entries(config.accounts)) {
    const { kind, alpaca, schwab } = account.broker;
    if (alpaca.secretKey !== undefined || schwab.appSecret !== undefined) {
      problems.push(
        `accounts.${name}.broker: name a secret (secretId) instead of keys in the configuration file`,
      );
    }
    if (kind === 'alpaca' && alpaca.secretId === undefined) {
      problems.push(`accounts.${name}.broker.alpaca.secretId: required when deployed`);
    }
    if (kind === 'schwab' && schwab.secretId === undefined) {
      problems.push(
        `accounts.${name}.broker.schwab.secretId: required when deployed (its tokens are written back to it)`,
      );
    }
  }
  const { alpaca, schwab } = config.broker;
  if (alpaca.secretKey !== undefined || schwab.appSecret !== undefined) {
    problems.push("broker: keys belong in the stack's broker secret, not in the configuration file");
  }
  return problems;
}
