/**
 * Start-up shared by the Lambda entries: configuration from the environment, the DynamoDB clients
 * (once per container), the dependencies, and the account's book.
 */
import type { Context } from 'hono';
import { type Config, loadConfig } from '../config.ts';
import { createDynamoClients } from '../store/table.ts';
import { accountConfigs, buildDeps, type Deps } from './build-deps.ts';
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
  await prepareAccounts(deps, config);
  return deps;
}

/**
 * Makes sure every account's book exists, and reads the broker's account figures into it when it has
 * none yet (sizing by equity and the buying-power check need them). Once there, every reconcile pass
 * refreshes them, so a start-up does not call the broker again.
 */
export async function prepareAccounts(deps: Deps, config: Config): Promise<void> {
  const initial = new Map(
    accountConfigs(config).map((account) => [account.accountId, account.risk.tradingState]),
  );
  await Promise.all(
    deps.routing.accounts.map(async (account) => {
      await account.book.ensure(initial.get(account.accountId) ?? 'ACTIVE', deps.now());
      if ((await account.book.get()).broker !== undefined) return;
      await refreshBrokerSnapshot({ ...account, now: deps.now }).catch((error: unknown) =>
        deps.log.warn('broker account not read at start-up', {
          accountId: account.accountId,
          ...errorFields(error),
        }),
      );
    }),
  );
}
