// The metrics the app records while it answers alerts and reconciles, read from the harness's
// in-memory sink: the same calls that become EMF on Lambda.
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC } from '../../src/app/metrics.ts';
import { type Harness, startHarness } from '../support/app-harness.ts';
import { ScriptedBroker } from '../support/scripted-broker.ts';

describe('metrics', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('counts an accepted alert and times its submission', async () => {
    // Prepare
    h = await startHarness();

    // Act
    const { status } = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 190 }));

    // Assess
    expect(status).toBe(200);
    expect(h.metrics.total(METRIC.alertsReceived)).toBe(1);
    expect(h.metrics.total(METRIC.alerts, { Status: 'accepted' })).toBe(1);
    expect(h.metrics.points.filter((p) => p.name === METRIC.orderSubmitLatency)).toHaveLength(1);
    expect(h.metrics.total(METRIC.brokerErrors)).toBe(0);
  });

  it('counts a denied alert by its denial code, and a refused delivery by its status', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__RISK__MAX_ORDER_QTY: '5' } });

    // Act
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 50, price: 190 }));
    await h.post(JSON.stringify({ passphrase: 'wrong-passphrase', symbol: 'AAPL', action: 'buy' }));

    // Assess
    expect(h.metrics.total(METRIC.alerts, { Status: 'denied' })).toBe(1);
    expect(h.metrics.total(METRIC.alertsDenied, { Code: 'MAX_ORDER_QTY' })).toBe(1);
    expect(h.metrics.total(METRIC.alerts, { Status: 'unauthorized' })).toBe(1);
    expect(h.metrics.total(METRIC.alertsReceived)).toBe(2);
  });

  it('records the broker errors, the circuit opening and the alerts it refuses', async () => {
    // Prepare
    const scripted = new ScriptedBroker();
    scripted.mode = 'down';
    h = await startHarness({
      env: { PINEBRIDGE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '2' },
      broker: (paper) => scripted.over(paper),
    });
    const buy = (n: number) => h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 400 + n });

    // Act
    const answers = [await h.post(buy(1)), await h.post(buy(2)), await h.post(buy(3))];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(answers[2]?.answer.code).toBe('BROKER_CIRCUIT_OPEN');
    expect(h.metrics.total(METRIC.brokerErrors, { ErrorClass: 'unavailable' })).toBe(2);
    expect(h.metrics.total(METRIC.circuitOpened, { Account: 'default' })).toBe(1);
    expect(h.metrics.total(METRIC.circuitRefusals, { Account: 'default' })).toBe(1);
  });

  it('reports after a reconcile pass the orders still in flight and how old the oldest is', async () => {
    // Prepare: the broker never answers, so the order stays IN_FLIGHT and unknown to the broker
    const scripted = new ScriptedBroker();
    scripted.mode = 'hang';
    h = await startHarness({
      env: { PINEBRIDGE__WEBHOOK__DEADLINE_MS: '300' },
      broker: (paper) => scripted.over(paper),
    });
    const { status } = await h.post(h.alert({ symbol: 'NVDA', action: 'buy', quantity: 1, price: 900 }));

    // Act
    await h.deps.reconcile();

    // Assess
    expect(status).toBe(202);
    expect(h.metrics.total(METRIC.reconcileRuns, { Account: 'default' })).toBe(1);
    expect(h.metrics.total(METRIC.inFlightOrders, { Account: 'default' })).toBe(1);
    const age = h.metrics.points.find((p) => p.name === METRIC.oldestInFlightAge);
    expect(age?.value).toBeGreaterThanOrEqual(0);
    expect(h.metrics.total(METRIC.driftCount, { Account: 'default' })).toBe(0);
  });

  it('does not count an alert whose deadline ran out before any broker attempt as a broker failure', async () => {
    // Prepare: every reading of the clock is a second later, so the deadline has passed by the time
    // the order would be submitted, and no attempt is made
    let tick = Date.parse('2026-11-24T15:00:00Z');
    h = await startHarness({
      env: { PINEBRIDGE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '2' },
      now: () => {
        tick += 1000;
        return new Date(tick);
      },
    });
    const buy = (n: number) => h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 400 + n });

    // Act
    const answers = [await h.post(buy(1)), await h.post(buy(2)), await h.post(buy(3))];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(answers.map((a) => a.answer.code)).not.toContain('BROKER_CIRCUIT_OPEN');
    expect(h.deps.circuit.state()).toBe('CLOSED');
    expect(h.metrics.total(METRIC.brokerErrors)).toBe(0);
    expect(h.metrics.total(METRIC.circuitOpened)).toBe(0);
  });
});
