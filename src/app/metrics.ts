/**
 * The metrics pinebridge emits, behind a small port: on Lambda they become CloudWatch metrics through
 * Powertools' Embedded Metric Format (./emf-metrics.ts); locally and in tests they are kept in memory.
 * Dimensions are few on purpose: each distinct combination is a billed custom metric.
 */

/** Every metric name, in the CloudWatch namespace `Pinebridge`. */
export const METRIC = {
  /** Every delivery to /webhook. */
  alertsReceived: 'AlertsReceived',
  /** Deliveries by decision (dimension Status: accepted, denied, duplicate, ...). */
  alerts: 'Alerts',
  /** Denied alerts by denial code (dimension Code). */
  alertsDenied: 'AlertsDenied',
  /** Time from receipt to answer. */
  alertLatency: 'AlertLatency',
  /** Time the broker took for one submission, retries included. */
  orderSubmitLatency: 'OrderSubmitLatency',
  /** Failed submissions by class (dimension ErrorClass: unavailable, rejected, unknown). */
  brokerErrors: 'BrokerErrors',
  /** The account's circuit opened (dimension Account). */
  circuitOpened: 'CircuitOpened',
  /** Alerts refused while the account's circuit was open (dimension Account). */
  circuitRefusals: 'CircuitRefusals',
  /** One reconcile pass over one account ran (dimension Account). */
  reconcileRuns: 'ReconcileRuns',
  /** Passes that could not finish a step (dimension Account). */
  reconcileErrors: 'ReconcileErrors',
  reconcileDuration: 'ReconcileDuration',
  /** Symbols whose position differs from the broker's after a pass (dimension Account). */
  driftCount: 'DriftCount',
  /** Orders still unsettled after a pass (dimension Account). */
  inFlightOrders: 'InFlightOrders',
  /** Age of the oldest unsettled order after a pass (dimension Account). */
  oldestInFlightAge: 'OldestInFlightAgeSeconds',
  /** Hours left on Schwab's refresh token, sent when under a day (dimension Account). */
  schwabRefreshHoursLeft: 'SchwabRefreshTokenHoursLeft',
} as const;

/** A metric name. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
/** The units used. */
export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds';
/** Dimension name -> value. */
export type Dimensions = Readonly<Record<string, string>>;

/** One recorded value. */
export interface MetricPoint {
  name: MetricName;
  value: number;
  unit: MetricUnit;
  dimensions: Dimensions;
}

/** Where metrics go. */
export interface Metrics {
  /** Records one value; nothing is written until flush. */
  record(name: MetricName, value: number, unit: MetricUnit, dimensions?: Dimensions): void;
  /** Writes what was recorded since the last flush and forgets it. */
  flush(): void;
}

/** Keeps every point in memory (local mode and tests); `points` holds them, flush or not. */
export class MemoryMetrics implements Metrics {
  readonly points: MetricPoint[] = [];

  record(name: MetricName, value: number, unit: MetricUnit, dimensions: Dimensions = {}): void {
    this.points.push({ name, value, unit, dimensions });
    if (this.points.length > MEMORY_LIMIT) this.points.splice(0, this.points.length - MEMORY_LIMIT);
  }

  flush(): void {}

  /** The sum of `name`'s values whose dimensions include `dimensions`. */
  total(name: MetricName, dimensions: Dimensions = {}): number {
    return this.points
      .filter((point) => point.name === name)
      .filter((point) => Object.entries(dimensions).every(([key, value]) => point.dimensions[key] === value))
      .reduce((sum, point) => sum + point.value, 0);
  }
}

/** A long-running local process keeps at most this many points. */
const MEMORY_LIMIT = 10_000;
