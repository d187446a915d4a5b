/**
 * Metrics as CloudWatch Embedded Metric Format, written by Powertools for AWS Lambda: one EMF
 * document per dimension set at each flush, which the Lambda runtime's log stream turns into
 * metrics. The entries flush after every invocation.
 */
import { Metrics as Powertools } from '@aws-lambda-powertools/metrics';
import type { Dimensions, MetricName, MetricPoint, Metrics, MetricUnit } from './metrics.ts';

/** The CloudWatch namespace of every metric. */
export const METRICS_NAMESPACE = 'Pinebridge';

/**
 * Dimension sets are few by design (each is a billed custom metric); past this many writers, a
 * dimension with unbounded values has crept in, and the writers are dropped rather than kept forever.
 */
const MAX_WRITERS = 256;

/** Metrics written to stdout as EMF. */
export class EmfMetrics implements Metrics {
  private pending: MetricPoint[] = [];
  /**
   * One Powertools writer per dimension set, kept across flushes: building one reads the environment
   * and creates a Console, which cost more than everything else a flush does. Publishing empties it.
   */
  private readonly writers = new Map<string, Powertools>();

  constructor(private readonly serviceName: string) {}

  record(name: MetricName, value: number, unit: MetricUnit, dimensions: Dimensions = {}): void {
    this.pending.push({ name, value, unit, dimensions });
  }

  flush(): void {
    const groups = new Map<string, MetricPoint[]>();
    for (const point of this.pending) {
      const key = dimensionsKey(point.dimensions);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [point]);
      else group.push(point);
    }
    this.pending = [];
    for (const [key, points] of groups) {
      const emf = this.writerFor(key, points[0]?.dimensions ?? {});
      try {
        for (const point of points) emf.addMetric(point.name, point.unit, point.value);
      } catch (error) {
        // A refused point must not stay stored in the writer and leak into the next flush.
        emf.clearMetrics();
        throw error;
      }
      emf.publishStoredMetrics();
    }
  }

  private writerFor(key: string, dimensions: Dimensions): Powertools {
    const known = this.writers.get(key);
    if (known !== undefined) return known;
    if (this.writers.size >= MAX_WRITERS) this.writers.clear();
    const writer = new Powertools({
      namespace: METRICS_NAMESPACE,
      serviceName: this.serviceName,
      defaultDimensions: { ...dimensions },
    });
    this.writers.set(key, writer);
    return writer;
  }
}

/** The same key for the same dimensions in any order. */
function dimensionsKey(dimensions: Dimensions): string {
  const entries = Object.entries(dimensions);
  if (entries.length === 0) return '';
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
