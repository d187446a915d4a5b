/**
 * Wiring: builds every dependency of the app and the reconcile pass from the configuration and the
 * clients made once at start-up. Used by the Lambda entries and the local runner alike. Each routed
 * account gets its own books, broker, circuit breaker and risk settings; the flat fields of Deps are
 * the default account's.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'hono';
import { PaperBroker } from '../brokers/paper/paper-broker.ts';
import type { BrokerPort } from '../brokers/port.ts';
import { type BrokerConfig, type Config, ConfigError, type RiskConfig } from '../config.ts';
import { alertIdFactory } from '../domain/ids.ts';
import type { DriftPolicy } from '../domain/reconciliation.ts';
import { AlertStore } from '../store/alert-store.ts';
import { BookStore } from '../store/book-store.ts';
import { OrderStore } from '../store/order-store.ts';
import type { TableRef } from '../store/table.ts';
import { type AccountDeps, createRouting, type Routing } from './accounts.ts';
import { CircuitBreaker, logCircuitChanges } from './circuit-breaker.ts';
import type { AppDeps } from './create-app.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { METRIC, MemoryMetrics, type Metrics } from './metrics.ts';
import { type ReconcileDeps, type ReconcileReport, reconcileOnce } from './reconcile-pass.ts';
import type { TradingSettings } from './trading-settings.ts';

/** What the running process supplies. */
export interface Runtime {
  doc: DynamoDBDocumentClient;
  sourceIp: (c: Context) => string | undefined;
  now?: () => Date;
  random?: () => number;
  log?: Logger;
  /** Where metrics go (EMF on Lambda); kept in memory when not given. */
  metrics?: Metrics;
  /** A broker to use for the default account instead of the configured one (tests plug fakes in). */
  broker?: BrokerPort;
  /** Brokers made at start-up, by account id (Alpaca and Schwab need secrets read first). */
  brokers?: ReadonlyMap<string, BrokerPort>;
}

/** Everything the entries need. */
export interface Deps extends AppDeps, ReconcileDeps {
  /** The default account's id (its books and broker are the flat fields). */
  accountId: string;
  routing: Routing;
  /** One reconcile pass over every account, one after the other. */
  reconcileAll: () => Promise<AccountReconcileReport[]>;
}

/** One account's pass, or why it failed. */
export type AccountReconcileReport = { accountId: string } & (
  | { ok: true; report: ReconcileReport }
  | { ok: false; error: string }
);

/** How long reconciliation waits for an in-flight order the broker does not know before closing it. */
const UNKNOWN_ORDER_GRACE_MS = 120_000;

/** One account as configured: the default from the top-level sections, the others from `accounts`. */
export interface AccountConfig {
  accountId: string;
  broker: BrokerConfig;
  risk: RiskConfig;
  driftPolicy: DriftPolicy;
}

/** Every configured account, the default first. */
export function accountConfigs(config: Config): AccountConfig[] {
  const driftPolicy = config.reconcile.driftPolicy;
  return [
    { accountId: config.account.id, broker: config.broker, risk: config.risk, driftPolicy },
    ...Object.entries(config.accounts).map(([accountId, account]) => ({
      accountId,
      broker: account.broker,
      risk: account.risk,
      driftPolicy: account.driftPolicy ?? driftPolicy,
    })),
  ];
}

/** Builds the dependencies; throws ConfigError when a required secret or broker is missing. */
export function buildDeps(config: Config, runtime: Runtime): Deps {
  const { passphrase } = config.webhook;
  const apiToken = config.api.token;
  const missing = [
    ...(passphrase ? [] : ['webhook.passphrase: required (WEBHOOK_PASSPHRASE)']),
    ...(apiToken ? [] : ['api.token: required (API_TOKEN)']),
  ];
  if (!passphrase || !apiToken) throw new ConfigError(missing);

  const now = runtime.now ?? (() => new Date());
  const random = runtime.random ?? Math.random;
  const log = runtime.log ?? jsonLogger(config.log.level);
  const metrics = runtime.metrics ?? new MemoryMetrics();
  const table: TableRef = { doc: runtime.doc, tableName: config.dynamodb.tableName };
  const alerts = new AlertStore(table, config.alerts.retentionDays, config.webhook.dedupeWindowSeconds);
  const accounts = accountConfigs(config).map((account, index) =>
    buildAccount(config, account, {
      table,
      now,
      random,
      log,
      metrics,
      broker: index === 0 && runtime.broker ? runtime.broker : runtime.brokers?.get(account.accountId),
    }),
  );
  const routing = createRouting(
    accounts,
    Object.fromEntries(
      Object.entries(config.strategies).map(([name, strategy]) => [name, strategy.accounts]),
    ),
  );
  const [main] = accounts;
  if (main === undefined) throw new ConfigError(['account: none configured']);

  const deps: Deps = {
    ...main,
    apiToken,
    timeZone: config.account.timeZone,
    alerts,
    now,
    random,
    log,
    metrics,
    routing,
    newAlertId: alertIdFactory((bytes) =>
      randomBytes(bytes)
        .toString('hex')
        .slice(0, bytes * 2),
    ),
    sourceIp: runtime.sourceIp,
    unknownOrderGraceMs: UNKNOWN_ORDER_GRACE_MS,
    edge: {
      maxBodyBytes: config.webhook.maxBodyBytes,
      ipAllowlist: config.webhook.ipAllowlist.enabled ? config.webhook.ipAllowlist.ips : undefined,
    },
    settings: { passphrase },
    reconcile: (accountId?: string): Promise<ReconcileReport> => {
      const account = accountId === undefined ? main : routing.find(accountId);
      if (account === undefined) return Promise.reject(new RangeError(`no account "${accountId}"`));
      return reconcileOnce({ ...deps, ...account });
    },
    reconcileAll: async () => {
      const reports: AccountReconcileReport[] = [];
      for (const account of accounts) {
        const accountId = account.accountId;
        try {
          reports.push({ accountId, ok: true, report: await reconcileOnce({ ...deps, ...account }) });
        } catch (error) {
          log.error('reconcile: account pass failed', { accountId, error: String(error) });
          reports.push({
            accountId,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      return reports;
    },
  };
  return deps;
}

interface AccountRuntime {
  table: TableRef;
  now: () => Date;
  random: () => number;
  log: Logger;
  metrics: Metrics;
  broker: BrokerPort | undefined;
}

function buildAccount(config: Config, account: AccountConfig, runtime: AccountRuntime): AccountDeps {
  const { accountId, risk } = account;
  const { table, now, random, log, metrics } = runtime;
  const logChange = logCircuitChanges(log, accountId);
  const trading = tradingSettings(config, accountId, risk);
  const broker = runtime.broker ?? paperBroker(table, account, now, random, trading);
  const { failureThreshold, openSeconds } = account.broker.circuit;
  return {
    accountId,
    book: new BookStore(table, accountId),
    orders: new OrderStore(table, accountId),
    broker,
    circuit: new CircuitBreaker(
      { failureThreshold, openMs: openSeconds * 1000 },
      () => now().getTime(),
      (change) => {
        logChange(change);
        if (change.to === 'OPEN') metrics.record(METRIC.circuitOpened, 1, 'Count', { Account: accountId });
      },
    ),
    trading,
    driftPolicy: account.driftPolicy,
    dailyLossGuard: { maxDailyLoss: risk.maxDailyLoss, switchTo: risk.onDailyLossBreach },
  };
}

function paperBroker(
  table: TableRef,
  account: AccountConfig,
  now: () => Date,
  random: () => number,
  trading: TradingSettings,
): BrokerPort {
  if (account.broker.kind !== 'paper') {
    throw new ConfigError([
      `account ${account.accountId}: the ${account.broker.kind} broker was not created`,
    ]);
  }
  return new PaperBroker(table, account.accountId, account.broker.paper, now, {
    random,
    market: trading.market,
  });
}

/** The order path's settings from the configuration, for `accountId` with its risk limits. */
export function tradingSettings(
  config: Config,
  accountId: string = config.account.id,
  risk: RiskConfig = config.risk,
): TradingSettings {
  const { market } = config;
  const { tradingState: _initial, onDailyLossBreach, allowShort, strategyCooldownSeconds, ...limits } = risk;
  return {
    accountId,
    deadlineMs: config.webhook.deadlineMs,
    timeZone: config.account.timeZone,
    sizing: config.sizing,
    allowShort,
    strategies: config.strategies,
    limits,
    strategyCooldownSeconds,
    onDailyLossBreach,
    market: {
      enforceHours: market.enforceHours,
      calendar: market,
      cryptoPattern: new RegExp(market.cryptoPattern),
    },
  };
}
