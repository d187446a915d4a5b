import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics, METRICS_NAMESPACE } from '../../src/app/emf-metrics.ts';
import { METRIC } from '../../src/app/metrics.ts';

/** Captures what is written to stdout while `run` runs, as parsed JSON lines. */
function emfLines(run: () => void): Array<Record<string, unknown>> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('EmfMetrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes one EMF document per dimension set, in the Pinebridge namespace', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new EmfMetrics('webhook');
    metrics.record(METRIC.alertsReceived, 1, 'Count');
    metrics.record(METRIC.alerts, 1, 'Count', { Status: 'accepted' });
    metrics.record(METRIC.alerts, 1, 'Count', { Status: 'denied' });
    metrics.record(METRIC.alertsReceived, 1, 'Count');

    // Act
    const lines = emfLines(() => metrics.flush());

    // Assess
    expect(lines).toHaveLength(3);
    const byStatus = lines.map((line) => line.Status ?? 'none').sort();
    expect(byStatus).toEqual(['accepted', 'denied', 'none']);
    const plain = lines.find((line) => line.Status === undefined);
    expect(plain?.AlertsReceived).toEqual([1, 1]);
    expect(plain?.service).toBe('webhook');
    const aws = plain?._aws as { CloudWatchMetrics: Array<{ Namespace: string }> };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
  });

  it('writes only the values recorded since the last flush when a dimension set comes again', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new EmfMetrics('webhook');
    metrics.record(METRIC.alerts, 1, 'Count', { Status: 'accepted' });
    metrics.record(METRIC.alertLatency, 12, 'Milliseconds');
    const first = emfLines(() => metrics.flush());
    metrics.record(METRIC.alerts, 1, 'Count', { Status: 'accepted' });
    metrics.record(METRIC.alerts, 1, 'Count', { Status: 'accepted' });

    // Act
    const second = emfLines(() => metrics.flush());

    // Assess
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ service: 'webhook', Status: 'accepted', Alerts: [1, 1] });
    expect(second[0]?.AlertLatency).toBeUndefined();
    const dimensionsOf = (line: Record<string, unknown> | undefined) => {
      const aws = line?._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } | undefined;
      return aws?.CloudWatchMetrics[0]?.Dimensions;
    };
    const accepted = first.find((line) => line.Status === 'accepted');
    expect(dimensionsOf(accepted)).toEqual([['service', 'Status']]);
    expect(dimensionsOf(second[0])).toEqual([['service', 'Status']]);
  });

  it('leaves nothing of a refused flush for the next one', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new EmfMetrics('webhook');
    metrics.record(METRIC.alerts, 1, 'Count', { Status: 'accepted' });
    metrics.record(METRIC.alerts, 1, 'Seconds', { Status: 'accepted' });
    expect(() => emfLines(() => metrics.flush())).toThrow();
    metrics.record(METRIC.alertsReceived, 1, 'Count', { Status: 'accepted' });

    // Act
    const lines = emfLines(() => metrics.flush());

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]?.AlertsReceived).toBe(1);
    expect(lines[0]?.Alerts).toBeUndefined();
  });

  it('writes nothing more once flushed', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new EmfMetrics('reconcile');
    metrics.record(METRIC.driftCount, 2, 'Count', { Account: 'default' });
    emfLines(() => metrics.flush());

    // Act
    const again = emfLines(() => metrics.flush());

    // Assess
    expect(again).toEqual([]);
  });
});
