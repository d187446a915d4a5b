/**
 * The settings the order path works with, and the per-alert views of them: a strategy's sizing
 * merged over the global one, and the risk context (session, asset class, alert time and price,
 * cooldown, business days) for one alert at one moment.
 */
import type { Alert } from '../domain/alert.ts';
import { tradingDay } from '../domain/book.ts';
import {
  assetClassOf,
  businessDaysEnding,
  localParts,
  type MarketCalendar,
  sessionAt,
} from '../domain/market-hours.ts';
import type { RiskContext, RiskLimits } from '../domain/risk.ts';
import type { SizingMode, SizingSettings } from '../domain/sizing.ts';

/** A strategy's own settings. */
export interface StrategySettings {
  sizing?: Partial<Omit<SizingSettings, 'allowShort'>> | undefined;
  cooldownSeconds?: number | undefined;
}

/** Everything the order path is configured with. */
export interface TradingSettings {
  accountId: string;
  deadlineMs: number;
  timeZone: string;
  sizing: { mode: SizingMode; allowFractional: boolean } & Partial<SizingSettings>;
  allowShort: boolean;
  strategies: Readonly<Record<string, StrategySettings>>;
  limits: RiskLimits;
  strategyCooldownSeconds?: number | undefined;
  onDailyLossBreach: 'REDUCING' | 'HALTED';
  market: { enforceHours: boolean; calendar: MarketCalendar; cryptoPattern: RegExp };
}

/**
 * The key a strategy is known by in the book and in settings: lower case, letters and digits only, so
 * "Trend Follow", "trend_follow" and the `trendFollow` that PINEBRIDGE__STRATEGIES__TREND_FOLLOW__…
 * configures are one strategy.
 */
export function strategyKey(strategy: string | undefined): string | undefined {
  const key = strategy?.toLowerCase().replace(/[^a-z0-9]/g, '');
  return key === '' ? undefined : key;
}

/** The strategy's settings, matched by strategy key. */
export function strategySettings(settings: TradingSettings, strategy: string | undefined): StrategySettings {
  const wanted = strategyKey(strategy);
  if (wanted === undefined) return {};
  return strategiesByKey(settings.strategies).get(wanted) ?? {};
}

/** The configured strategies by strategy key, the first configured name winning; built once per record. */
const STRATEGIES_BY_KEY = new WeakMap<TradingSettings['strategies'], ReadonlyMap<string, StrategySettings>>();

function strategiesByKey(strategies: TradingSettings['strategies']): ReadonlyMap<string, StrategySettings> {
  let byKey = STRATEGIES_BY_KEY.get(strategies);
  if (byKey === undefined) {
    const map = new Map<string, StrategySettings>();
    for (const [name, own] of Object.entries(strategies)) {
      const key = strategyKey(name);
      if (key !== undefined && !map.has(key)) map.set(key, own);
    }
    byKey = map;
    STRATEGIES_BY_KEY.set(strategies, byKey);
  }
  return byKey;
}

/** The sizing for an alert of `strategy`: the strategy's sizing merged over the global one. */
export function sizingFor(settings: TradingSettings, strategy: string | undefined): SizingSettings {
  const own = strategySettings(settings, strategy).sizing ?? {};
  return { ...settings.sizing, ...own, allowShort: settings.allowShort };
}

/** The risk context of `alert` at `now`. */
export function riskContextFor(settings: TradingSettings, alert: Alert, now: Date): RiskContext {
  const { market } = settings;
  const assetClass = assetClassOf(alert.symbol, market.cryptoPattern);
  const today = tradingDay(now, settings.timeZone);
  const marketDay = localParts(now, market.calendar.timeZone).day;
  return {
    now,
    today,
    session: market.enforceHours ? sessionAt(now, assetClass, market.calendar) : undefined,
    assetClass,
    alertTime: alert.time,
    alertPrice: alert.price,
    extendedHours: alert.extendedHours === true,
    strategy: strategyKey(alert.strategy),
    cooldownSeconds:
      strategySettings(settings, alert.strategy).cooldownSeconds ?? settings.strategyCooldownSeconds,
    businessDays: businessDaysEnding(marketDay, 5, market.calendar.holidays),
  };
}
