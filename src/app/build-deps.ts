/**
 * Wiring: builds every dependency of the app and the reconcile pass from the configuration and the
 * clients made once at start-up. Used by the Lambda entries and the local runner alike.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'hono';
import { PaperBroker } from '../brokers/paper/paper-broker.ts';
import type { BrokerPort } from '../brokers/port.ts';
import { type Config, ConfigError } from '../config.ts';
import { alertIdFactory } from '../domain/ids.ts';
import { AlertStore } from '../store/alert-store.ts';
import { BookStore } from '../store/book-store.ts';
import { OrderStore } from '../store/order-store.ts';
import type { TableRef } from '../store/table.ts';
import { CircuitBreaker, logCircuitChanges } from './circuit-breaker.ts';
import type { AppDeps } from './create-app.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { type ReconcileDeps, type ReconcileReport, reconcileOnce } from './reconcile-pass.ts';
import type { TradingSettings } from './trading-settings.ts';

/** What the running process supplies. */
export interface Runtime {
  doc: DynamoDBDocumentClient;
  sourceIp: (c: Context) => string | undefined;
  now?: () => Date;
  random?: () => number;
  log?: Logger;
  /** A broker to use instead of the configured one (tests plug fakes of our own port in here). */
  broker?: BrokerPort;
}

/** Everything the entries need. */
export interface Deps extends AppDeps, ReconcileDeps {}

/** How long reconciliation waits for an in-flight order the broker does not know before closing it. */
const UNKNOWN_ORDER_GRACE_MS = 120_000;

/** Builds the dependencies; throws ConfigError when a required secret is missing. */
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
  const table: TableRef = { doc: runtime.doc, tableName: config.dynamodb.tableName };
  const accountId = config.account.id;
  const book = new BookStore(table, accountId);
  const orders = new OrderStore(table, accountId);
  const alerts = new AlertStore(table, config.alerts.retentionDays);
  const trading = tradingSettings(config);
  const broker =
    runtime.broker ??
    new PaperBroker(table, accountId, config.broker.paper, now, { random, market: trading.market });
  const { failureThreshold, openSeconds } = config.broker.circuit;
  const circuit = new CircuitBreaker(
    { failureThreshold, openMs: openSeconds * 1000 },
    () => now().getTime(),
    logCircuitChanges(log, accountId),
  );
  const timeZone = config.account.timeZone;

  const deps: Deps = {
    accountId,
    apiToken,
    timeZone,
    book,
    orders,
    alerts,
    broker,
    circuit,
    now,
    random,
    log,
    newAlertId: alertIdFactory((bytes) =>
      randomBytes(bytes)
        .toString('hex')
        .slice(0, bytes * 2),
    ),
    sourceIp: runtime.sourceIp,
    unknownOrderGraceMs: UNKNOWN_ORDER_GRACE_MS,
    driftPolicy: config.reconcile.driftPolicy,
    edge: {
      maxBodyBytes: config.webhook.maxBodyBytes,
      ipAllowlist: config.webhook.ipAllowlist.enabled ? config.webhook.ipAllowlist.ips : undefined,
    },
    settings: {
      passphrase,
      dedupeWindowSeconds: config.webhook.dedupeWindowSeconds,
    },
    trading,
    dailyLossGuard: { maxDailyLoss: config.risk.maxDailyLoss, switchTo: config.risk.onDailyLossBreach },
    reconcile: (): Promise<ReconcileReport> => reconcileOnce(deps),
  };
  return deps;
}

/** The order path's settings from the configuration. */
export function tradingSettings(config: Config): TradingSettings {
  const { risk, market } = config;
  const { tradingState: _initial, onDailyLossBreach, allowShort, strategyCooldownSeconds, ...limits } = risk;
  return {
    accountId: config.account.id,
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
