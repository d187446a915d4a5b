import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

type Env = Record<string, string | undefined>;

/** A readFile that must not be called. */
function noFile(path: string): string {
  throw new Error(`unexpected read of ${path}`);
}

/** An environment naming a config file, and a readFile that serves `content` as that file. */
function withFile(content: unknown): { env: Env; readFile: (path: string) => string } {
  return { env: { PINEBRIDGE_CONFIG: 'pinebridge.json' }, readFile: () => JSON.stringify(content) };
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

describe('loadConfig sizing and strategies', () => {
  it('reads PINEBRIDGE__SIZING__MODE as text, keeping its case', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__SIZING__MODE: 'targetPosition' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.sizing).toEqual({ mode: 'targetPosition', allowFractional: false });
  });

  it("reads a strategy's sizing and cooldown from the config file", () => {
    // Prepare
    const strategies = { Trend: { sizing: { mode: 'riskPercent', riskPercent: 1 }, cooldownSeconds: 60 } };
    const { env, readFile } = withFile({ strategies });

    // Act
    const config = loadConfig(env, readFile);

    // Assess
    expect(config.strategies).toEqual(strategies);
  });

  it("reads a strategy's cooldown from a PINEBRIDGE__STRATEGIES__ override", () => {
    // Prepare
    const env: Env = { PINEBRIDGE__STRATEGIES__TREND__COOLDOWN_SECONDS: '30' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.strategies).toEqual({ trend: { cooldownSeconds: 30 } });
  });

  it('reports an unknown sizing key and a zero cooldown of a strategy together', () => {
    // Prepare
    const { env, readFile } = withFile({ strategies: { trend: { sizing: { qty: 1 }, cooldownSeconds: 0 } } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([
      expect.stringMatching(/^strategies\.trend\.sizing: .*"qty"/),
      expect.stringMatching(/^strategies\.trend\.cooldownSeconds: /),
    ]);
  });

  it('rejects a sizing mode it does not know', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__SIZING__MODE: 'kelly' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^sizing\.mode: /)]);
  });
});

describe('loadConfig risk and market keys', () => {
  it('reads asset classes and holidays as comma-separated lists', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__ALLOWED_ASSET_CLASSES: 'us_equity',
      PINEBRIDGE__MARKET__HOLIDAYS: '2026-12-31, 2027-01-02',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.allowedAssetClasses).toEqual(['us_equity']);
    expect(config.market.holidays).toEqual(['2026-12-31', '2027-01-02']);
  });

  it('reads a nested pattern-day-trader key and keeps the other defaults', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__PDT__ACCOUNT_TYPE: 'cash' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.pdt).toEqual({
      enforce: true,
      accountType: 'cash',
      minEquity: 25_000,
      maxDayTrades: 3,
    });
  });

  it('reads market times as text and turns market hours off', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__MARKET__OPEN: '09:00', PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.market).toMatchObject({ open: '09:00', close: '16:00', enforceHours: false });
  });

  it('reads the new risk limits as numbers', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__MIN_ORDER_NOTIONAL: '5',
      PINEBRIDGE__RISK__MAX_ORDERS_PER_MINUTE: '10',
      PINEBRIDGE__RISK__PRICE_BAND_PERCENT: '2.5',
      PINEBRIDGE__RISK__STRATEGY_COOLDOWN_SECONDS: '300',
      PINEBRIDGE__RISK__ON_DAILY_LOSS_BREACH: 'HALTED',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk).toMatchObject({
      minOrderNotional: 5,
      maxOrdersPerMinute: 10,
      priceBandPercent: 2.5,
      strategyCooldownSeconds: 300,
      onDailyLossBreach: 'HALTED',
    });
  });

  it('reports every bad market and asset-class value at once', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__ALLOWED_ASSET_CLASSES: 'forex',
      PINEBRIDGE__MARKET__OPEN: '9:30',
      PINEBRIDGE__MARKET__HOLIDAYS: 'thanksgiving',
      PINEBRIDGE__MARKET__CRYPTO_PATTERN: '(',
    };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([
      expect.stringMatching(/^risk\.allowedAssetClasses\.0: /),
      'market.open: must be HH:MM',
      'market.holidays.0: must be YYYY-MM-DD',
      'market.cryptoPattern: must be a valid regular expression',
    ]);
  });
});
