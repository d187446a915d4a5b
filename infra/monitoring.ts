/**
 * The alarms, each pointing at its runbook entry in docs/operations.md, and the SNS topic they notify
 * (with an optional email subscription). Per-account alarms exist for every account the deployed
 * configuration names; the Schwab token alarm only for Schwab accounts.
 */
import { CfnCondition, CfnParameter, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from '../src/app/metrics.ts';
import { METRIC_DIMENSION, METRIC_SERVICE } from '../src/deploy-contract.ts';
import { accountDimension, appMetric, eitherService } from './app-metrics.ts';
import type { DeployedAccount } from './deployed-config.ts';

/** The runbook the alarm descriptions point into. */
export const RUNBOOK = 'docs/operations.md';
/** Hours left on Schwab's refresh token below which the alarm fires (the app reports under 24). */
export const SCHWAB_REFRESH_HOURS = 24;
/** TradingView drops a webhook call after 3 s; answers slower than this are alarmed. */
export const TRADINGVIEW_LIMIT_MS = 2900;
/** The share of a timeout at which a function's duration alarms. */
export const NEAR_TIMEOUT = 0.8;

/** Settings of the monitoring. */
export interface MonitoringProps {
  webhook: IFunction;
  webhookTimeout: Duration;
  reconcile: IFunction;
  reconcileTimeout: Duration;
  deadLetterQueue: IQueue;
  accounts: readonly DeployedAccount[];
  reconcileRateMinutes: number;
  inFlightAlarmMinutes: number;
  deniedAlarmThreshold: number;
}

/** One alarm and the runbook section that says what to do. */
export interface RunbookAlarm {
  alarm: Alarm;
  /** The anchor of its section in docs/operations.md. */
  runbook: string;
}

interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  comparison?: ComparisonOperator;
  periods?: number;
  missing?: TreatMissingData;
  summary: string;
  runbook: string;
}

/** The alarms and their topic. */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: RunbookAlarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'pinebridge alarms', enforceSSL: true });
    this.action = new SnsAction(this.topic);
    this.emailSubscription();
    this.webhookAlarms(props);
    this.reconcileAlarms(props);
    for (const account of props.accounts) this.accountAlarms(props, account);
  }

  private emailSubscription(): void {
    const email = new CfnParameter(Stack.of(this), 'AlarmEmail', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      description: 'Optional: an email address subscribed to the alarm topic (confirm the email AWS sends).',
    });
    const condition = new CfnCondition(this, 'HasAlarmEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')),
    });
    const subscription = new CfnSubscription(this, 'AlarmEmailSubscription', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: email.valueAsString,
    });
    subscription.cfnOptions.condition = condition;
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'An email subscription: SNS retries email delivery itself, and a notification that still fails leaves the alarm in ALARM on the dashboard; a redrive queue would need its own watcher.',
    });
  }

  private webhookAlarms(props: MonitoringProps): void {
    const minute = Duration.minutes(1);
    const { webhook } = props;
    this.add('WebhookErrors', {
      metric: webhook.metricErrors({ period: minute, statistic: Stats.SUM }),
      threshold: 1,
      summary: 'The webhook function failed (crash, failed start-up or timeout): alerts may be lost.',
      runbook: 'webhook-errors',
    });
    this.add('WebhookThrottles', {
      metric: webhook.metricThrottles({ period: minute, statistic: Stats.SUM }),
      threshold: 1,
      summary: 'Alerts were refused because the webhook reached its reserved concurrency.',
      runbook: 'webhook-throttles',
    });
    this.add('WebhookDuration', {
      metric: webhook.metricDuration({ period: minute, statistic: Stats.MAXIMUM }),
      threshold: props.webhookTimeout.toMilliseconds() * NEAR_TIMEOUT,
      summary: `A webhook invocation ran past ${NEAR_TIMEOUT * 100}% of its timeout.`,
      runbook: 'webhook-duration-near-timeout',
    });
    this.add('AlertsAnsweredLate', {
      metric: appMetric(METRIC_SERVICE.webhook, {
        name: METRIC.alertLatency,
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: TRADINGVIEW_LIMIT_MS,
      summary: 'An alert was answered later than TradingView waits (3 s).',
      runbook: 'alerts-answered-late',
    });
    this.add('AlertsDeniedSpike', {
      metric: appMetric(METRIC_SERVICE.webhook, {
        name: METRIC.alerts,
        statistic: Stats.SUM,
        period: Duration.minutes(5),
        dimensions: { [METRIC_DIMENSION.status]: 'denied' },
      }),
      threshold: props.deniedAlarmThreshold,
      summary: `${props.deniedAlarmThreshold} or more alerts denied by the risk checks within 5 minutes.`,
      runbook: 'alerts-denied-spike',
    });
  }

  private reconcileAlarms(props: MonitoringProps): void {
    const period = Duration.minutes(props.reconcileRateMinutes);
    const { reconcile } = props;
    this.add('ReconcileFailing', {
      metric: reconcile.metricErrors({ period, statistic: Stats.SUM }),
      threshold: 1,
      periods: 3,
      summary: 'Three reconcile passes in a row failed.',
      runbook: 'reconcile-failing',
    });
    this.add('ReconcileThrottles', {
      metric: reconcile.metricThrottles({ period, statistic: Stats.SUM }),
      threshold: 1,
      periods: 3,
      summary:
        'Reconcile passes overlapped for three periods in a row (a pass takes longer than the schedule rate).',
      runbook: 'reconcile-throttles',
    });
    this.add('ReconcileDuration', {
      metric: reconcile.metricDuration({ period, statistic: Stats.MAXIMUM }),
      threshold: props.reconcileTimeout.toMilliseconds() * NEAR_TIMEOUT,
      summary: `A reconcile pass ran past ${NEAR_TIMEOUT * 100}% of its timeout.`,
      runbook: 'reconcile-duration-near-timeout',
    });
    this.add('DeadLetters', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      threshold: 1,
      summary:
        'A reconcile invocation was not delivered, failed or expired: its record is in the dead-letter queue.',
      runbook: 'dead-letter-queue-not-empty',
    });
  }

  private accountAlarms(props: MonitoringProps, account: DeployedAccount): void {
    const id = account.accountId;
    const period = Duration.minutes(props.reconcileRateMinutes);
    const dimensions = accountDimension(id);
    const reconcileMetric = (name: (typeof METRIC)[keyof typeof METRIC], statistic: string) =>
      appMetric(METRIC_SERVICE.reconcile, { name, statistic, period, dimensions });
    this.add(`CircuitOpen-${id}`, {
      metric: eitherService(
        { name: METRIC.circuitOpened, statistic: Stats.SUM, period: Duration.minutes(1), dimensions },
        'sum',
      ),
      threshold: 1,
      summary: `Account ${id}: the broker circuit opened; new alerts are refused with 503 until it closes.`,
      runbook: 'broker-circuit-open',
    });
    this.add(`ReconcileNotRunning-${id}`, {
      metric: reconcileMetric(METRIC.reconcileRuns, Stats.SUM),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      periods: 3,
      missing: TreatMissingData.BREACHING,
      summary: `Account ${id}: no reconcile pass for three schedule periods.`,
      runbook: 'reconcile-not-running',
    });
    this.add(`ReconcileStepErrors-${id}`, {
      metric: reconcileMetric(METRIC.reconcileErrors, Stats.MAXIMUM),
      threshold: 1,
      periods: 3,
      summary: `Account ${id}: three reconcile passes in a row could not finish a step.`,
      runbook: 'reconcile-failing',
    });
    this.add(`Drift-${id}`, {
      metric: reconcileMetric(METRIC.driftCount, Stats.MAXIMUM),
      threshold: 1,
      periods: 3,
      summary: `Account ${id}: our positions differ from the broker's for three passes in a row.`,
      runbook: 'drift-detected',
    });
    this.add(`InFlightStuck-${id}`, {
      metric: reconcileMetric(METRIC.oldestInFlightAge, Stats.MAXIMUM),
      threshold: props.inFlightAlarmMinutes * 60,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      summary: `Account ${id}: an order has been in flight (outcome unknown) for more than ${props.inFlightAlarmMinutes} minutes.`,
      runbook: 'in-flight-orders-stuck',
    });
    if (account.broker === 'schwab') {
      this.add(`SchwabRefreshExpiring-${id}`, {
        metric: eitherService(
          {
            name: METRIC.schwabRefreshHoursLeft,
            statistic: Stats.MINIMUM,
            period: Duration.hours(1),
            dimensions,
          },
          'min',
        ),
        threshold: SCHWAB_REFRESH_HOURS,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        summary: `Account ${id}: Schwab's refresh token expires within a day; log in again (npm run schwab:login).`,
        runbook: 'schwab-refresh-token-expiring',
      });
    }
  }

  private add(id: string, spec: AlarmSpec): void {
    const periods = spec.periods ?? 1;
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: `${spec.summary} Runbook: ${RUNBOOK}#${spec.runbook}`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: spec.missing ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push({ alarm, runbook: spec.runbook });
  }
}
