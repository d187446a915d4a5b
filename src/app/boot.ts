/**
 * Start-up shared by the Lambda entries: configuration from the environment, the DynamoDB clients
 * (once per container), the dependencies, and the account's book.
 */
import type { Context } from 'hono';
import { type Config, loadConfig } from '../config.ts';
import { createDynamoClients } from '../store/table.ts';
import { buildDeps, type Deps } from './build-deps.ts';
import { errorFields } from './logger.ts';
import { refreshBrokerSnapshot } from './reconcile-pass.ts';

/** Builds the dependencies from `env`; throws ConfigError listing every configuration problem. */
export async function bootFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  sourceIp: (c: Context) => string | undefined,
): Promise<Deps> {
  const config = loadConfig(env);
  const { doc } = createDynamoClients(config.dynamodb);
  const deps = buildDeps(config, { doc, sourceIp });
  await prepareAccount(deps, config);
  return deps;
}

/**
 * Makes sure the account's book exists, and reads the broker's account figures into it when it has
 * none yet (sizing by equity and the buying-power check need them). Once there, every reconcile pass
 * refreshes them, so a start-up does not call the broker again.
 */
export async function prepareAccount(deps: Deps, config: Config): Promise<void> {
  await deps.book.ensure(config.risk.tradingState, deps.now());
  if ((await deps.book.get()).broker !== undefined) return;
  await refreshBrokerSnapshot(deps).catch((error: unknown) =>
    deps.log.warn('broker account not read at start-up', errorFields(error)),
  );
}
