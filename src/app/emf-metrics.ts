/**
 * Metrics as CloudWatch Embedded Metric Format, written by Powertools for AWS Lambda: one EMF
 * document per dimension set at each flush, which the Lambda runtime's log stream turns into
 * metrics. The entries flush after every invocation.
 */
import { Metrics as Powertools } from '@aws-lambda-powertools/metrics';
import type { Dimensions, MetricName, MetricPoint, Metrics, MetricUnit } from './metrics.ts';

/** The CloudWatch namespace of every metric. */
export const METRICS_NAMESPACE = 'Pinebridge';

/** Metrics written to stdout as EMF. */
export class EmfMetrics implements Metrics {
  private pending: MetricPoint[] = [];

  constructor(private readonly serviceName: string) {}

  record(name: MetricName, value: number, unit: MetricUnit, dimensions: Dimensions = {}): void {
    this.pending.push({ name, value, unit, dimensions });
  }

  flush(): void {
    const groups = new Map<string, MetricPoint[]>();
    for (const point of this.pending) {
      const key = JSON.stringify(Object.entries(point.dimensions).sort(([a], [b]) => a.localeCompare(b)));
      groups.set(key, [...(groups.get(key) ?? []), point]);
    }
    this.pending = [];
    for (const points of groups.values()) {
      const emf = new Powertools({
        namespace: METRICS_NAMESPACE,
        serviceName: this.serviceName,
        defaultDimensions: { ...points[0]?.dimensions },
      });
      for (const point of points) emf.addMetric(point.name, point.unit, point.value);
      emf.publishStoredMetrics();
    }
  }
}
