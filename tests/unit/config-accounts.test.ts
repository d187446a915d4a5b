import { describe, expect, it } from 'vitest';
import { accountConfigs } from '../../src/app/build-deps.ts';
import { type Config, ConfigError, loadConfig, maskConfig } from '../../src/config.ts';

type Env = Record<string, string | undefined>;

/** A readFile that must not be called. */
function noFile(path: string): string {
  throw new Error(`unexpected read of ${path}`);
}

/** An environment naming a config file, and a readFile that serves `content` as that file. */
function withFile(content: unknown, env: Env = {}): { env: Env; readFile: (path: string) => string } {
  return {
    env: { PINEBRIDGE_CONFIG: 'pinebridge.json', ...env },
    readFile: () => JSON.stringify(content),
  };
}

/** Runs loadConfig expecting it to refuse the configuration, and returns the ConfigError. */
function configError(env: Env, readFile: (path: string) => string = noFile): ConfigError {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return expect.unreachable('loadConfig accepted an invalid configuration');
}

/** The extra account `name` of `config`; fails the test when it is not configured. */
function extraAccount(config: Config, name: string): Config['accounts'][string] {
  const account = config.accounts[name];
  if (account === undefined) return expect.unreachable(`no account "${name}" in the configuration`);
  return account;
}

describe("an extra account's risk limits", () => {
  it('inherits every top-level limit and overrides only the ones it names, nested pdt included', () => {
    // Prepare
    const risk = {
      maxOpenPositions: 5,
      maxOrderQty: 100,
      symbolDenylist: ['GME'],
      onDailyLossBreach: 'HALTED',
      pdt: { accountType: 'cash', minEquity: 30_000 },
    };
    const accounts = { live: { risk: { maxOpenPositions: 1, pdt: { maxDayTrades: 1 } } } };
    const { env, readFile } = withFile({ risk, accounts });

    // Act
    const config = loadConfig(env, readFile);

    // Assess
    const live = extraAccount(config, 'live').risk;
    expect(live).toEqual({
      ...config.risk,
      maxOpenPositions: 1,
      pdt: { enforce: true, accountType: 'cash', minEquity: 30_000, maxDayTrades: 1 },
    });
    expect(live.maxOrderQty).toBe(100);
    expect(live.symbolDenylist).toEqual(['GME']);
    expect(live.onDailyLossBreach).toBe('HALTED');
    expect(config.risk.maxOpenPositions).toBe(5);
    expect(config.risk.pdt).toEqual({
      enforce: true,
      accountType: 'cash',
      minEquity: 30_000,
      maxDayTrades: 3,
    });
  });

  it('merges PINEBRIDGE__ACCOUNTS__<NAME>__RISK__ overrides over the top-level PINEBRIDGE__RISK__ ones', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__MAX_ORDER_QTY: '100',
      PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5',
      PINEBRIDGE__RISK__PDT__MIN_EQUITY: '30000',
      PINEBRIDGE__ACCOUNTS__LIVE__RISK__MAX_OPEN_POSITIONS: '1',
      PINEBRIDGE__ACCOUNTS__LIVE__RISK__PDT__MAX_DAY_TRADES: '1',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    const live = extraAccount(config, 'live').risk;
    expect(live.maxOrderQty).toBe(100);
    expect(live.maxOpenPositions).toBe(1);
    expect(live.pdt).toEqual({ enforce: true, accountType: 'margin', minEquity: 30_000, maxDayTrades: 1 });
    expect(config.risk.maxOpenPositions).toBe(5);
    expect(config.risk.pdt.maxDayTrades).toBe(3);
  });

  it('is the top-level risk section as it stands when the account names no risk at all', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__MAX_DAILY_LOSS: '250',
      PINEBRIDGE__RISK__TRADING_STATE: 'REDUCING',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(extraAccount(config, 'live').risk).toEqual(config.risk);
    expect(config.risk).toMatchObject({ maxDailyLoss: 250, tradingState: 'REDUCING' });
  });

  it("refuses an account's limit that is invalid, naming the account's key", () => {
    // Prepare
    const env: Env = { PINEBRIDGE__ACCOUNTS__LIVE__RISK__MAX_OPEN_POSITIONS: '0' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^accounts\.live\.risk\.maxOpenPositions: /)]);
  });
});

describe("an extra account's broker", () => {
  it("is a paper broker with the default paper settings, whatever the default account's broker", () => {
    // Prepare
    const env: Env = {
      BROKER: 'alpaca',
      APCA_API_KEY_ID: 'PKTEST0001',
      APCA_API_SECRET_KEY: 'secret-0001',
      PINEBRIDGE__BROKER__PAPER__STARTING_CASH: '50000',
      PINEBRIDGE__ACCOUNTS__LIVE__DRIFT_POLICY: 'alert',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    const broker = extraAccount(config, 'live').broker;
    expect(broker.kind).toBe('paper');
    expect(broker.paper.startingCash).toBe(100_000);
    expect(broker.alpaca.keyId).toBeUndefined();
    expect(broker.alpaca.secretKey).toBeUndefined();
    expect(config.broker).toMatchObject({ kind: 'alpaca', paper: { startingCash: 50_000 } });
  });

  it('takes its own paper settings without changing the default account’s', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__PAPER__STARTING_CASH: '2000',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__PAPER__SLIPPAGE_BPS: '0',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '2',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    const broker = extraAccount(config, 'live').broker;
    expect(broker.paper).toMatchObject({ startingCash: 2000, slippageBps: 0 });
    expect(broker.circuit).toEqual({ failureThreshold: 2, openSeconds: 30 });
    expect(config.broker.paper).toMatchObject({ startingCash: 100_000, slippageBps: 2 });
    expect(config.broker.circuit.failureThreshold).toBe(5);
  });

  it('refuses the alpaca kind without keys or a secretId, naming APCA_API_KEY_ID', () => {
    // Prepare: the default account's keys are not the extra account's
    const env: Env = {
      APCA_API_KEY_ID: 'PKTEST0001',
      APCA_API_SECRET_KEY: 'secret-0001',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'alpaca',
    };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^accounts\.live\.broker\.alpaca: /);
    expect(error.problems[0]).toContain('APCA_API_KEY_ID');
    expect(error.problems[0]).toContain('secretId');
  });

  it('accepts the alpaca kind with its own keys, or with a secretId', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'alpaca',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__ALPACA__KEY_ID: 'PKLIVE0001',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__ALPACA__SECRET_KEY: 'live-secret-0001',
      PINEBRIDGE__ACCOUNTS__VAULTED__BROKER__KIND: 'alpaca',
      PINEBRIDGE__ACCOUNTS__VAULTED__BROKER__ALPACA__SECRET_ID: 'pinebridge/alpaca-vaulted',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(extraAccount(config, 'live').broker.alpaca).toMatchObject({
      keyId: 'PKLIVE0001',
      secretKey: 'live-secret-0001',
    });
    expect(extraAccount(config, 'vaulted').broker.alpaca.secretId).toBe('pinebridge/alpaca-vaulted');
    expect(config.broker.kind).toBe('paper');
  });

  it('refuses the schwab kind without an app key and secret or a secretId, naming SCHWAB_APP_KEY', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__ACCOUNTS__IRA__BROKER__KIND: 'schwab' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([
      expect.stringMatching(/^accounts\.ira\.broker\.schwab: .*SCHWAB_APP_KEY/),
    ]);
  });
});

describe("an account's drift policy", () => {
  it('falls back to reconcile.driftPolicy unless the account names its own', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RECONCILE__DRIFT_POLICY: 'adopt',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper',
      PINEBRIDGE__ACCOUNTS__CAREFUL__DRIFT_POLICY: 'halt',
    };
    const config = loadConfig(env, noFile);

    // Act
    const accounts = accountConfigs(config);

    // Assess
    expect(accounts.map(({ accountId, driftPolicy }) => ({ accountId, driftPolicy }))).toEqual([
      { accountId: 'default', driftPolicy: 'adopt' },
      { accountId: 'live', driftPolicy: 'adopt' },
      { accountId: 'careful', driftPolicy: 'halt' },
    ]);
  });

  it('lists the default account first, with the top-level broker and risk sections', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__ACCOUNT__ID: 'main',
      PINEBRIDGE__RISK__MAX_ORDER_QTY: '7',
      PINEBRIDGE__ACCOUNTS__LIVE__RISK__MAX_ORDER_QTY: '3',
    };
    const config = loadConfig(env, noFile);

    // Act
    const [main, live, ...rest] = accountConfigs(config);

    // Assess
    expect(main).toEqual({
      accountId: 'main',
      broker: config.broker,
      risk: config.risk,
      driftPolicy: 'alert',
    });
    expect(live).toMatchObject({ accountId: 'live', risk: { maxOrderQty: 3 } });
    expect(rest).toEqual([]);
  });

  it('refuses a drift policy that is not alert, adopt or halt', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__ACCOUNTS__LIVE__DRIFT_POLICY: 'ignore' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^accounts\.live\.driftPolicy: /)]);
  });
});

describe("a strategy's accounts", () => {
  it('reads a comma-separated PINEBRIDGE__STRATEGIES__<NAME>__ACCOUNTS as a list, in order', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper',
      PINEBRIDGE__STRATEGIES__TREND__ACCOUNTS: 'live, default',
      PINEBRIDGE__STRATEGIES__SWING__ACCOUNTS: 'live',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.strategies).toEqual({
      trend: { accounts: ['live', 'default'] },
      swing: { accounts: ['live'] },
    });
  });

  it('reads a JSON list in PINEBRIDGE__STRATEGIES__<NAME>__ACCOUNTS as well', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper',
      PINEBRIDGE__STRATEGIES__TREND__ACCOUNTS: '["default","live"]',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.strategies.trend?.accounts).toEqual(['default', 'live']);
  });

  it('refuses an unknown account, naming the strategy, the account and the accounts there are', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper',
      PINEBRIDGE__STRATEGIES__TREND__ACCOUNTS: 'default,nope',
    };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem).toContain('strategies.trend');
    expect(problem).toContain('"nope"');
    expect(problem).toContain('default, live');
    expect(error.message).toContain(problem);
  });

  it('reports every unknown account of every strategy at once', () => {
    // Prepare
    const strategies = { trend: { accounts: ['ghost'] }, swing: { accounts: ['default', 'phantom'] } };
    const { env, readFile } = withFile({ strategies });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toHaveLength(2);
    expect(error.problems).toContainEqual(
      expect.stringMatching(/^strategies\.trend\.accounts\.0: .*"ghost"/),
    );
    expect(error.problems).toContainEqual(
      expect.stringMatching(/^strategies\.swing\.accounts\.1: .*"phantom"/),
    );
  });

  it('refuses an account named like a member of every object (toString), which no account is', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__STRATEGIES__TREND__ACCOUNTS: 'toString' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([
      expect.stringMatching(/^strategies\.trend\.accounts\.0: no account "toString"/),
    ]);
  });

  it('accepts the default account by its configured id', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__ACCOUNT__ID: 'main', PINEBRIDGE__STRATEGIES__TREND__ACCOUNTS: 'main' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.strategies.trend?.accounts).toEqual(['main']);
  });

  it('refuses an empty list of accounts', () => {
    // Prepare
    const { env, readFile } = withFile({ strategies: { trend: { accounts: [] } } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^strategies\.trend\.accounts: /)]);
  });
});

describe('the accounts section', () => {
  it('refuses an entry named like the default account', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__ACCOUNTS__DEFAULT__BROKER__KIND: 'paper' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^accounts\.default: /);
    expect(error.problems[0]).toContain('account.id');
  });

  it('refuses an entry named like a renamed default account, and allows one named "default" then', () => {
    // Prepare
    const refused: Env = {
      PINEBRIDGE__ACCOUNT__ID: 'main',
      PINEBRIDGE__ACCOUNTS__MAIN__BROKER__KIND: 'paper',
    };
    const allowed: Env = {
      PINEBRIDGE__ACCOUNT__ID: 'main',
      PINEBRIDGE__ACCOUNTS__DEFAULT__BROKER__KIND: 'paper',
    };

    // Act
    const error = configError(refused);
    const config = loadConfig(allowed, noFile);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^accounts\.main: "main" is the default account/)]);
    expect(Object.keys(config.accounts)).toEqual(['default']);
  });

  it('accepts a default account id that is also the name of a member of every object', () => {
    // Prepare: no `accounts` entry is named "constructor"
    const env: Env = { PINEBRIDGE__ACCOUNT__ID: 'constructor' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.account.id).toBe('constructor');
    expect(config.accounts).toEqual({});
  });

  it('refuses an account name with characters other than letters, digits, _ and -', () => {
    // Prepare
    const { env, readFile } = withFile({ accounts: { 'live account': {} } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^accounts\.live account: /)]);
  });

  it('refuses a key an account does not have', () => {
    // Prepare
    const { env, readFile } = withFile({ accounts: { live: { sizing: { mode: 'fixed' } } } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^accounts\.live: .*sizing/)]);
  });
});

describe('maskConfig with routed accounts', () => {
  it("masks the broker secrets of every account and keeps the rest of each account's broker", () => {
    // Prepare
    const env: Env = {
      APCA_API_KEY_ID: 'PKDEFAULT01',
      APCA_API_SECRET_KEY: 'default-alpaca-secret',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'alpaca',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__ALPACA__KEY_ID: 'PKLIVE0001',
      PINEBRIDGE__ACCOUNTS__LIVE__BROKER__ALPACA__SECRET_KEY: 'live-alpaca-secret',
      PINEBRIDGE__ACCOUNTS__IRA__BROKER__KIND: 'schwab',
      PINEBRIDGE__ACCOUNTS__IRA__BROKER__SCHWAB__APP_KEY: 'ira-app-key',
      PINEBRIDGE__ACCOUNTS__IRA__BROKER__SCHWAB__APP_SECRET: 'ira-schwab-secret',
    };
    const config = loadConfig(env, noFile);

    // Act
    const masked = maskConfig(config);

    // Assess
    expect(masked.broker.alpaca.secretKey).toBe('********');
    expect(extraAccount(masked, 'live').broker.alpaca).toMatchObject({
      keyId: 'PKLIVE0001',
      secretKey: '********',
    });
    expect(extraAccount(masked, 'ira').broker.schwab).toMatchObject({
      appKey: 'ira-app-key',
      appSecret: '********',
    });
    expect(extraAccount(masked, 'ira').broker.kind).toBe('schwab');
    const printed = JSON.stringify(masked);
    for (const secret of ['default-alpaca-secret', 'live-alpaca-secret', 'ira-schwab-secret']) {
      expect(printed).not.toContain(secret);
    }
    expect(extraAccount(config, 'live').broker.alpaca.secretKey).toBe('live-alpaca-secret');
  });

  it('leaves an account without secrets without any', () => {
    // Prepare
    const config = loadConfig({ PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper' }, noFile);

    // Act
    const masked = maskConfig(config);

    // Assess
    expect(extraAccount(masked, 'live')).toEqual(extraAccount(config, 'live'));
  });
});
