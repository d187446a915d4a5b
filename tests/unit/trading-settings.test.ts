import { describe, expect, it } from 'vitest';
import {
  riskContextFor,
  sizingFor,
  strategyKey,
  strategySettings,
  type TradingSettings,
} from '../../src/app/trading-settings.ts';
import { CRYPTO_PATTERN } from '../../src/config.ts';
import { NYSE_CALENDAR } from '../../src/domain/market-hours.ts';
import { anAlert, BUSINESS_DAYS, NOW, TODAY } from './builders.ts';

/** Settings as the default configuration gives them, with one strategy of its own; override the rest. */
function aSettings(overrides: Partial<TradingSettings> = {}): TradingSettings {
  return {
    accountId: 'test',
    deadlineMs: 2500,
    timeZone: 'America/New_York',
    sizing: { mode: 'alert', allowFractional: false, quantity: 1 },
    allowShort: true,
    strategies: { Trend: { sizing: { mode: 'notional', notional: 2000 }, cooldownSeconds: 120 } },
    limits: { symbolAllowlist: [] },
    onDailyLossBreach: 'REDUCING',
    market: {
      enforceHours: true,
      calendar: NYSE_CALENDAR,
      cryptoPattern: new RegExp(CRYPTO_PATTERN),
    },
    ...overrides,
  };
}

describe('strategyKey', () => {
  it.each(['Trend Follow', 'trend_follow', 'trendFollow', 'TREND-FOLLOW', ' trend.follow '])(
    'keys %j as trendfollow',
    (name) => {
      // Act
      const key = strategyKey(name);

      // Assess
      expect(key).toBe('trendfollow');
    },
  );

  it('keeps the digits of a name', () => {
    // Act
    const key = strategyKey('EMA_20/50');

    // Assess
    expect(key).toBe('ema2050');
  });

  it.each(['', '   ', '__--!!', undefined])('gives no key for %j', (name) => {
    // Act
    const key = strategyKey(name);

    // Assess
    expect(key).toBeUndefined();
  });
});

describe('sizingFor', () => {
  it("merges the strategy's sizing over the global sizing, matching its name by strategy key", () => {
    // Prepare
    const settings = aSettings();

    // Act
    const sizing = sizingFor(settings, 'trend');

    // Assess
    expect(sizing).toEqual({
      mode: 'notional',
      notional: 2000,
      quantity: 1,
      allowFractional: false,
      allowShort: true,
    });
  });

  it('is the global sizing for a strategy without settings of its own', () => {
    // Prepare
    const settings = aSettings();

    // Act
    const sizing = sizingFor(settings, 'meanReversion');

    // Assess
    expect(sizing).toEqual({ mode: 'alert', quantity: 1, allowFractional: false, allowShort: true });
  });

  it('is the global sizing for an alert that names no strategy', () => {
    // Prepare
    const settings = aSettings({ allowShort: false });

    // Act
    const sizing = sizingFor(settings, undefined);

    // Assess
    expect(sizing).toEqual({ mode: 'alert', quantity: 1, allowFractional: false, allowShort: false });
  });
});

describe('strategySettings', () => {
  it('finds a strategy by name without regard to case and nothing for an unknown one', () => {
    // Prepare
    const settings = aSettings();

    // Act
    const found = [strategySettings(settings, 'TREND'), strategySettings(settings, 'other')];

    // Assess
    expect(found).toEqual([{ sizing: { mode: 'notional', notional: 2000 }, cooldownSeconds: 120 }, {}]);
  });

  it.each(['Trend Follow', 'trend_follow', 'trendfollow', 'TREND-FOLLOW'])(
    'finds the strategy configured as trendFollow for the alert strategy %j',
    (name) => {
      // Prepare
      const settings = aSettings({ strategies: { trendFollow: { cooldownSeconds: 45 } } });

      // Act
      const found = strategySettings(settings, name);

      // Assess
      expect(found).toEqual({ cooldownSeconds: 45 });
    },
  );

  it('takes the first configured strategy when two names share a key', () => {
    // Prepare
    const settings = aSettings({
      strategies: { trend_follow: { cooldownSeconds: 45 }, trendFollow: { cooldownSeconds: 90 } },
    });

    // Act
    const found = strategySettings(settings, 'Trend Follow');

    // Assess
    expect(found).toEqual({ cooldownSeconds: 45 });
  });

  it('finds nothing for a strategy name without letters or digits', () => {
    // Prepare
    const settings = aSettings({ strategies: { '--': { cooldownSeconds: 45 } } });

    // Act
    const found = strategySettings(settings, '__');

    // Assess
    expect(found).toEqual({});
  });
});

describe('riskContextFor', () => {
  it('describes an alert at a regular-session instant', () => {
    // Prepare
    const alert = anAlert({
      symbol: 'AAPL',
      time: '2026-11-23T14:59:58.000Z',
      price: 190.5,
      strategy: 'trend',
      extendedHours: true,
    });

    // Act
    const context = riskContextFor(aSettings(), alert, NOW);

    // Assess
    expect(context).toEqual({
      now: NOW,
      today: TODAY,
      session: 'regular',
      assetClass: 'us_equity',
      alertTime: '2026-11-23T14:59:58.000Z',
      alertPrice: 190.5,
      extendedHours: true,
      strategy: 'trend',
      cooldownSeconds: 120,
      businessDays: [...BUSINESS_DAYS],
    });
  });

  it('names the strategy by its key and takes the cooldown of the strategy configured under another spelling', () => {
    // Prepare
    const settings = aSettings({ strategies: { trendFollow: { cooldownSeconds: 45 } } });

    // Act
    const context = riskContextFor(settings, anAlert({ strategy: 'Trend Follow' }), NOW);

    // Assess
    expect(context).toMatchObject({ strategy: 'trendfollow', cooldownSeconds: 45 });
  });

  it('names no strategy when the alert strategy has no letters or digits', () => {
    // Prepare
    const settings = aSettings({ strategyCooldownSeconds: 30 });

    // Act
    const context = riskContextFor(settings, anAlert({ strategy: '***' }), NOW);

    // Assess
    expect(context.strategy).toBeUndefined();
  });

  it('gives no session when market hours are not enforced', () => {
    // Prepare
    const settings = aSettings();
    const relaxed = { ...settings, market: { ...settings.market, enforceHours: false } };
    const saturday = new Date('2026-11-21T17:00:00Z');

    // Act
    const context = riskContextFor(relaxed, anAlert(), saturday);

    // Assess
    expect(context.session).toBeUndefined();
  });

  it('gives the closed session on a weekend when market hours are enforced', () => {
    // Prepare
    const saturday = new Date('2026-11-21T17:00:00Z');

    // Act
    const context = riskContextFor(aSettings(), anAlert(), saturday);

    // Assess
    expect(context.session).toBe('closed');
  });

  it('classes a crypto pair as crypto, trading on a weekend', () => {
    // Prepare
    const saturday = new Date('2026-11-21T17:00:00Z');

    // Act
    const context = riskContextFor(aSettings(), anAlert({ symbol: 'BTC/USD' }), saturday);

    // Assess
    expect(context).toMatchObject({ assetClass: 'crypto', session: 'regular' });
  });

  it('falls back to the global cooldown and reads extended hours as false when the alert omits it', () => {
    // Prepare
    const settings = aSettings({ strategyCooldownSeconds: 30 });

    // Act
    const context = riskContextFor(settings, anAlert({ strategy: 'other' }), NOW);

    // Assess
    expect(context).toMatchObject({ cooldownSeconds: 30, extendedHours: false, strategy: 'other' });
  });

  it("takes the trading day in the account's time zone and the business days in the market's", () => {
    // Prepare
    const settings = aSettings({ timeZone: 'UTC' });
    const evening = new Date('2026-11-24T02:00:00Z');

    // Act
    const context = riskContextFor(settings, anAlert(), evening);

    // Assess
    expect(context).toMatchObject({ today: '2026-11-24', session: 'closed' });
    expect(context.businessDays).toEqual([...BUSINESS_DAYS]);
  });
});
