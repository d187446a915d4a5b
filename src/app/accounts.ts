/**
 * Routed accounts. An account is a named broker connection with its own books (positions, orders,
 * reservations) and its own risk limits. A strategy maps to one or more accounts, so one alert can
 * fan out (paper and live side by side); alerts of any other strategy go to the default account.
 * Account names match ignoring case, `_` and `-` (see accountKey); a name listed twice counts once.
 */
import type { BrokerPort } from '../brokers/port.ts';
import { accountKey } from '../domain/ids.ts';
import type { DriftPolicy } from '../domain/reconciliation.ts';
import type { BookStore } from '../store/book-store.ts';
import type { OrderStore } from '../store/order-store.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { strategyKey, type TradingSettings } from './trading-settings.ts';

/** One account's books, broker, circuit breaker and settings. */
export interface AccountDeps {
  accountId: string;
  book: BookStore;
  orders: OrderStore;
  broker: BrokerPort;
  circuit: CircuitBreaker;
  trading: TradingSettings;
  driftPolicy: DriftPolicy;
  /** When realized loss today reaches `maxDailyLoss`, trading switches to `switchTo` by itself. */
  dailyLossGuard: { maxDailyLoss?: number | undefined; switchTo: 'REDUCING' | 'HALTED' };
}

/** Which accounts an alert goes to. */
export interface Routing {
  /** Every account, the default one first. */
  readonly accounts: readonly AccountDeps[];
  /** The accounts an alert of `strategy` goes to, in the configured order. */
  route(strategy: string | undefined): readonly AccountDeps[];
  /** The account named `accountId`, or undefined. */
  find(accountId: string): AccountDeps | undefined;
}

/** Routing over `accounts` (the default first) with each strategy's account names. */
export function createRouting(
  accounts: readonly AccountDeps[],
  strategyAccounts: Readonly<Record<string, readonly string[] | undefined>>,
): Routing {
  const [fallback] = accounts;
  if (fallback === undefined) throw new RangeError('routing needs at least one account');
  const byKey = new Map(accounts.map((account) => [accountKey(account.accountId), account]));
  const routes = new Map<string, AccountDeps[]>();
  for (const [name, ids] of Object.entries(strategyAccounts)) {
    const key = strategyKey(name);
    if (key === undefined || ids === undefined) continue;
    const named = ids.flatMap((id) => byKey.get(accountKey(id)) ?? []);
    routes.set(key, [...new Set(named)]);
  }
  return {
    accounts,
    route: (strategy) => {
      const key = strategyKey(strategy);
      const routed = key === undefined ? undefined : routes.get(key);
      return routed !== undefined && routed.length > 0 ? routed : [fallback];
    },
    find: (accountId) => byKey.get(accountKey(accountId)),
  };
}
