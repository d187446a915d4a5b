/**
 * The app's own CloudWatch metrics (EMF, namespace `Pinebridge`), built from the names the code
 * records them with (src/app/metrics.ts, src/app/emf-metrics.ts, src/deploy-contract.ts), for the
 * alarms and the dashboard. Every metric carries the `service` dimension Powertools adds: `webhook`
 * or `reconcile`, whichever function recorded it.
 */
import type { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, SearchExpression } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../src/app/emf-metrics.ts';
import type { MetricName } from '../src/app/metrics.ts';
import { METRIC_DIMENSION, METRIC_SERVICE } from '../src/deploy-contract.ts';

/** A service dimension value. */
export type Service = (typeof METRIC_SERVICE)[keyof typeof METRIC_SERVICE];

/** How one metric is read. */
export interface MetricQuery {
  name: MetricName;
  statistic: string;
  period: Duration;
  /** Dimensions besides `service`. */
  dimensions?: Record<string, string>;
  label?: string;
}

/** One app metric as one service recorded it. */
export function appMetric(service: Service, query: MetricQuery): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: query.name,
    dimensionsMap: { [METRIC_DIMENSION.service]: service, ...query.dimensions },
    statistic: query.statistic,
    period: query.period,
    ...(query.label ? { label: query.label } : {}),
  });
}

/** An account's dimension. */
export function accountDimension(accountId: string): Record<string, string> {
  return { [METRIC_DIMENSION.account]: accountId };
}

/**
 * A metric either function may record (circuit openings, Schwab token warnings), combined over both:
 * `sum` adds them (missing points count 0), `min` takes the lower.
 */
export function eitherService(query: MetricQuery, combine: 'sum' | 'min'): MathExpression {
  // Ids must be unique within a graph or alarm, start with a lower-case letter, and hold [a-z0-9_].
  const key = [query.name, ...Object.values(query.dimensions ?? {})]
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const webhook = `w_${key}`;
  const reconcile = `r_${key}`;
  return new MathExpression({
    expression:
      combine === 'sum' ? `FILL(${webhook}, 0) + FILL(${reconcile}, 0)` : `MIN([${webhook}, ${reconcile}])`,
    usingMetrics: {
      [webhook]: appMetric(METRIC_SERVICE.webhook, query),
      [reconcile]: appMetric(METRIC_SERVICE.reconcile, query),
    },
    period: query.period,
    label: query.label ?? query.name,
  });
}

/**
 * Every time series of `name` split by `dimension` (one line per status, code, account...), for
 * graphs: the values are not known when the stack is built.
 */
export function splitBy(
  service: Service,
  name: MetricName,
  dimension: string,
  statistic: string,
  period: Duration,
): IMetric {
  const schema = [METRICS_NAMESPACE, METRIC_DIMENSION.service, dimension].join(',');
  return new SearchExpression({
    expression: `SEARCH('{${schema}} ${METRIC_DIMENSION.service}="${service}" MetricName="${name}"', '${statistic}', ${period.toSeconds()})`,
    label: '',
    period,
  });
}
