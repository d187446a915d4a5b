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
