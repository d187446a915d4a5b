import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { METRICS_NAMESPACE } from '../../src/app/emf-metrics.ts';
import { METRIC } from '../../src/app/metrics.ts';
import { METRIC_DIMENSION, METRIC_SERVICE } from '../../src/deploy-contract.ts';
import { ROOT, type Synthesized, synthesize } from './synth.ts';

const Dimension = z.object({ Name: z.string(), Value: z.unknown() });
const AlarmProperties = z.looseObject({
  AlarmName: z.string(),
  AlarmDescription: z.string(),
  AlarmActions: z.array(z.unknown()),
  OKActions: z.array(z.unknown()),
  Namespace: z.string().optional(),
  MetricName: z.string().optional(),
  Dimensions: z.array(Dimension).optional(),
  Metrics: z
    .array(
      z.looseObject({
        MetricStat: z
          .object({
            Metric: z.object({
              Namespace: z.string(),
              MetricName: z.string(),
              Dimensions: z.array(Dimension),
            }),
          })
          .passthrough()
          .optional(),
      }),
    )
    .optional(),
});
type AlarmProperties = z.infer<typeof AlarmProperties>;

/** GitHub's anchor for a Markdown heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

describe('the alarms and the dashboard of a paper stack', () => {
  let synth: Synthesized;
  let alarms: AlarmProperties[];
  beforeAll(() => {
    synth = synthesize();
    alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map((alarm) =>
      AlarmProperties.parse(alarm.Properties),
    );
  });

  /** The alarm named `Pinebridge-<id>`. */
  function alarm(id: string): AlarmProperties {
    const found = alarms.find((candidate) => candidate.AlarmName === `Pinebridge-${id}`);
    if (!found) throw new Error(`no alarm ${id}`);
    return found;
  }

  it('has one alarm for each condition of the runbook, and per account for the account-level ones', () => {
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      [
        'WebhookErrors',
        'WebhookThrottles',
        'WebhookDuration',
        'AlertsAnsweredLate',
        'AlertsDeniedSpike',
        'ReconcileFailing',
        'ReconcileThrottles',
        'ReconcileDuration',
        'DeadLetters',
        'CircuitOpen-default',
        'ReconcileNotRunning-default',
        'ReconcileStepErrors-default',
        'Drift-default',
        'InFlightStuck-default',
      ]
        .map((id) => `Pinebridge-${id}`)
        .sort(),
    );
  });

  it('notifies the alarm topic when each alarm fires and when it clears', () => {
    const topic = Object.keys(synth.template.findResources('AWS::SNS::Topic'))[0];
    for (const a of alarms) {
      expect(a.AlarmActions, a.AlarmName).toEqual([{ Ref: topic }]);
      expect(a.OKActions, a.AlarmName).toEqual([{ Ref: topic }]);
    }
  });

  it('points every alarm at a section of docs/operations.md that exists', () => {
    const runbook = readFileSync(new URL('docs/operations.md', ROOT), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')),
    );
    for (const a of alarms) {
      const anchor = /Runbook: docs\/operations\.md#([a-z0-9-]+)$/.exec(a.AlarmDescription)?.[1];
      expect(anchor, a.AlarmName).toBeDefined();
      expect([...anchors], a.AlarmName).toContain(anchor);
    }
  });

  it("watches the app's metrics by the names, namespace and dimensions the code records them with", () => {
    const names = new Set<string>(Object.values(METRIC));
    const dimensions = new Set<string>(Object.values(METRIC_DIMENSION));
    const services = new Set<string>(Object.values(METRIC_SERVICE));
    const appMetrics = alarms
      .flatMap((a) => [
        ...(a.Namespace
          ? [{ Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions ?? [] }]
          : []),
        ...(a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])),
      ])
      .filter((m) => !m.Namespace.startsWith('AWS/'));
    expect(appMetrics.length).toBeGreaterThan(0);
    for (const metric of appMetrics) {
      expect(metric.Namespace).toBe(METRICS_NAMESPACE);
      expect(names).toContain(metric.MetricName);
      for (const dimension of metric.Dimensions) expect(dimensions).toContain(dimension.Name);
      const service = metric.Dimensions.find((d) => d.Name === METRIC_DIMENSION.service)?.Value;
      expect(services).toContain(service);
    }
  });

  it('fires when the webhook fails, is throttled, or runs near its 10 s timeout', () => {
    expect(alarm('WebhookErrors')).toMatchObject({
      MetricName: 'Errors',
      Statistic: 'Sum',
      Threshold: 1,
      Period: 60,
    });
    expect(alarm('WebhookThrottles')).toMatchObject({ MetricName: 'Throttles', Threshold: 1 });
    expect(alarm('WebhookDuration')).toMatchObject({
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 8000,
    });
    expect(alarm('AlertsAnsweredLate')).toMatchObject({ MetricName: METRIC.alertLatency, Threshold: 2900 });
  });

  it('fires on a spike of denied alerts', () => {
    expect(alarm('AlertsDeniedSpike')).toMatchObject({
      MetricName: METRIC.alerts,
      Dimensions: expect.arrayContaining([{ Name: METRIC_DIMENSION.status, Value: 'denied' }]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 10,
    });
  });

  it('fires when reconcile keeps failing, overlaps, runs long, or leaves dead letters', () => {
    expect(alarm('ReconcileFailing')).toMatchObject({
      MetricName: 'Errors',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(alarm('ReconcileThrottles')).toMatchObject({ MetricName: 'Throttles', EvaluationPeriods: 3 });
    expect(alarm('ReconcileDuration')).toMatchObject({ MetricName: 'Duration', Threshold: 40_000 });
    expect(alarm('DeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
    });
  });

  it('treats a missing reconcile pass as breaching, so a schedule that stopped is noticed', () => {
    expect(alarm('ReconcileNotRunning-default')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC.reconcileRuns,
      Dimensions: [
        { Name: METRIC_DIMENSION.account, Value: 'default' },
        { Name: METRIC_DIMENSION.service, Value: METRIC_SERVICE.reconcile },
      ],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
  });

  it('fires on drift for three passes, and on an order in flight for more than 5 minutes', () => {
    expect(alarm('Drift-default')).toMatchObject({
      MetricName: METRIC.driftCount,
      Threshold: 1,
      EvaluationPeriods: 3,
    });
    expect(alarm('InFlightStuck-default')).toMatchObject({
      MetricName: METRIC.oldestInFlightAge,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 300,
    });
    expect(alarm('ReconcileStepErrors-default')).toMatchObject({ MetricName: METRIC.reconcileErrors });
  });

  it('adds circuit openings from both functions, since either may open it', () => {
    const circuit = alarm('CircuitOpen-default');
    const services = (circuit.Metrics ?? []).flatMap((m) =>
      m.MetricStat
        ? [m.MetricStat.Metric.Dimensions.find((d) => d.Name === METRIC_DIMENSION.service)?.Value]
        : [],
    );
    expect(services.sort()).toEqual([METRIC_SERVICE.reconcile, METRIC_SERVICE.webhook]);
    expect(JSON.stringify(circuit.Metrics)).toContain(METRIC.circuitOpened);
  });

  it('subscribes an email address to the topic only when the AlarmEmail parameter is given', () => {
    synth.template.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    const [condition] = Object.keys(synth.template.findConditions('*'));
    synth.template.hasResource('AWS::SNS::Subscription', {
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
      Condition: condition,
    });
    synth.template.hasCondition(condition ?? '', {
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
    });
  });

  it('accepts alarm notifications over TLS only', () => {
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('graphs every metric the app records (but the Schwab token, with no Schwab account) and both functions', () => {
    const body = JSON.stringify(Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const name of Object.values(METRIC)) {
      if (name === METRIC.schwabRefreshHoursLeft) expect(body).not.toContain(name);
      else expect(body, name).toContain(name);
    }
    expect(body).toContain(`\\"${METRICS_NAMESPACE}\\"`);
    for (const metric of ['Invocations', 'Errors', 'Throttles', 'Duration', 'ConcurrentExecutions']) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain('{\\"type\\":\\"alarm\\"');
  });
});
