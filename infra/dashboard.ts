/**
 * The CloudWatch dashboard: alarm states on top, then the webhook's figures (decisions, denials by
 * code, latency, broker errors, circuit, Lambda health), then reconcile's (passes, duration, drift,
 * in-flight orders, dead letters, Lambda health). docs/operations.md explains how to read it.
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from '../src/app/metrics.ts';
import { METRIC_DIMENSION, METRIC_SERVICE } from '../src/deploy-contract.ts';
import { accountDimension, appMetric, eitherService, splitBy } from './app-metrics.ts';
import type { DeployedAccount } from './deployed-config.ts';
import type { RunbookAlarm } from './monitoring.ts';

/** Settings of the dashboard. */
export interface PinebridgeDashboardProps {
  dashboardName: string;
  webhook: IFunction;
  webhookConcurrency: number;
  reconcile: IFunction;
  deadLetterQueue: IQueue;
  accounts: readonly DeployedAccount[];
  alarms: readonly RunbookAlarm[];
  inFlightAlarmMinutes: number;
}

const MINUTE = Duration.minutes(1);
const WIDE = 12;

/** The dashboard. */
export class PinebridgeDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PinebridgeDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms (each links to its runbook entry in docs/operations.md)',
        alarms: props.alarms.map((entry) => entry.alarm),
        width: 24,
        height: Math.min(8, 2 + Math.ceil(props.alarms.length / 4)),
      }),
    );
    this.dashboard.addWidgets(heading('## Webhook: TradingView alerts'));
    this.dashboard.addWidgets(...webhookWidgets(props));
    this.dashboard.addWidgets(heading('## Reconcile: the scheduled pass over every account'));
    this.dashboard.addWidgets(...reconcileWidgets(props));
  }
}

function heading(markdown: string): TextWidget {
  return new TextWidget({ markdown, width: 24, height: 1 });
}

function graph(
  title: string,
  left: IMetric[],
  right: IMetric[] = [],
  extra: Partial<GraphWidgetOptions> = {},
): GraphWidget {
  return new GraphWidget({ title, left, right, width: WIDE, height: 6, period: MINUTE, ...extra });
}

type GraphWidgetOptions = ConstructorParameters<typeof GraphWidget>[0];

function webhookWidgets(props: PinebridgeDashboardProps): GraphWidget[] {
  const service = METRIC_SERVICE.webhook;
  const latency = (name: typeof METRIC.alertLatency | typeof METRIC.orderSubmitLatency, label: string) => [
    appMetric(service, { name, statistic: Stats.p(50), period: MINUTE, label: `${label} p50` }),
    appMetric(service, { name, statistic: Stats.p(99), period: MINUTE, label: `${label} p99` }),
  ];
  const perAccount = (name: typeof METRIC.circuitOpened | typeof METRIC.circuitRefusals, label: string) =>
    props.accounts.map((account) =>
      eitherService(
        {
          name,
          statistic: Stats.SUM,
          period: MINUTE,
          dimensions: accountDimension(account.accountId),
          label: `${label} ${account.accountId}`,
        },
        'sum',
      ),
    );
  const fn = props.webhook;
  return [
    graph('Alerts received, and by decision (accepted, denied, duplicate, rejected, ...)', [
      appMetric(service, {
        name: METRIC.alertsReceived,
        statistic: Stats.SUM,
        period: MINUTE,
        label: 'received',
      }),
      splitBy(service, METRIC.alerts, METRIC_DIMENSION.status, Stats.SUM, MINUTE),
    ]),
    graph('Denied alerts by code', [
      splitBy(service, METRIC.alertsDenied, METRIC_DIMENSION.code, Stats.SUM, MINUTE),
    ]),
    graph(
      'Answer latency and broker submit latency (ms)',
      [...latency(METRIC.alertLatency, 'answer'), ...latency(METRIC.orderSubmitLatency, 'broker submit')],
      [],
      { leftAnnotations: [{ value: 3000, label: "TradingView's limit" }] },
    ),
    graph('Broker errors by class', [
      splitBy(service, METRIC.brokerErrors, METRIC_DIMENSION.errorClass, Stats.SUM, MINUTE),
    ]),
    graph('Broker circuit: openings and refused alerts', [
      ...perAccount(METRIC.circuitOpened, 'opened'),
      ...perAccount(METRIC.circuitRefusals, 'refused'),
    ]),
    graph(
      'Webhook function: invocations, errors, throttles, concurrency',
      [
        fn.metricInvocations({ period: MINUTE, statistic: Stats.SUM }),
        fn.metricErrors({ period: MINUTE, statistic: Stats.SUM }),
        fn.metricThrottles({ period: MINUTE, statistic: Stats.SUM }),
        fn.metric('ConcurrentExecutions', { period: MINUTE, statistic: Stats.MAXIMUM }),
      ],
      [fn.metricDuration({ period: MINUTE, statistic: Stats.p(99), label: 'duration p99 (ms)' })],
      { leftAnnotations: [{ value: props.webhookConcurrency, label: 'reserved concurrency' }] },
    ),
  ];
}

function reconcileWidgets(props: PinebridgeDashboardProps): GraphWidget[] {
  const service = METRIC_SERVICE.reconcile;
  const each = (name: (typeof METRIC)[keyof typeof METRIC], statistic: string, label: string) =>
    props.accounts.map((account) =>
      appMetric(service, {
        name,
        statistic,
        period: MINUTE,
        dimensions: accountDimension(account.accountId),
        label: `${label} ${account.accountId}`,
      }),
    );
  const fn = props.reconcile;
  const widgets = [
    graph('Passes and passes with errors, per account', [
      ...each(METRIC.reconcileRuns, Stats.SUM, 'passes'),
      ...each(METRIC.reconcileErrors, Stats.SUM, 'with errors'),
    ]),
    graph('Pass duration (ms)', [...each(METRIC.reconcileDuration, Stats.MAXIMUM, 'max')]),
    graph('Drift: symbols whose position differs from the broker', [
      ...each(METRIC.driftCount, Stats.MAXIMUM, 'drift'),
    ]),
    graph(
      "Orders in flight, and the oldest one's age (s)",
      [...each(METRIC.inFlightOrders, Stats.MAXIMUM, 'in flight')],
      [...each(METRIC.oldestInFlightAge, Stats.MAXIMUM, 'oldest age')],
      { rightAnnotations: [{ value: props.inFlightAlarmMinutes * 60, label: 'alarm' }] },
    ),
    graph(
      'Reconcile function and dead-letter queue',
      [
        fn.metricInvocations({ period: MINUTE, statistic: Stats.SUM }),
        fn.metricErrors({ period: MINUTE, statistic: Stats.SUM }),
        fn.metricThrottles({ period: MINUTE, statistic: Stats.SUM }),
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: MINUTE,
          statistic: Stats.MAXIMUM,
          label: 'dead letters',
        }),
      ],
      [fn.metricDuration({ period: MINUTE, statistic: Stats.MAXIMUM, label: 'duration max (ms)' })],
    ),
  ];
  const schwab = props.accounts.filter((account) => account.broker === 'schwab');
  if (schwab.length > 0) {
    widgets.push(
      graph(
        'Schwab refresh token: hours left (reported under 24)',
        schwab.map((account) =>
          eitherService(
            {
              name: METRIC.schwabRefreshHoursLeft,
              statistic: Stats.MINIMUM,
              period: Duration.hours(1),
              dimensions: accountDimension(account.accountId),
              label: `hours left ${account.accountId}`,
            },
            'min',
          ),
        ),
      ),
    );
  }
  return widgets;
}
