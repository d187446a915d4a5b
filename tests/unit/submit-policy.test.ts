import { describe, expect, it } from 'vitest';
import { type SubmitOutcome, type SubmitPolicy, submitWithinDeadline } from '../../src/app/submit-policy.ts';
import {
  BrokerRateLimitedError,
  BrokerRejectedError,
  BrokerUnavailableError,
} from '../../src/brokers/errors.ts';
import type { AccountReport, BrokerPort, MarketClock } from '../../src/brokers/port.ts';
import type { ClientOrderId } from '../../src/domain/ids.ts';
import type { FillReport, OrderStatusReport, PositionReport, SubmitOrder } from '../../src/domain/order.ts';
import { aBookOrder, aReport } from './builders.ts';

/** One scripted answer to a submission. */
type SubmitStep = (signal: AbortSignal | undefined) => Promise<OrderStatusReport>;
/** One scripted answer to a lookup by client order id. */
type LookupStep = (signal: AbortSignal | undefined) => Promise<OrderStatusReport | undefined>;

/**
 * A broker that answers submissions and lookups from scripts, one step per call; the last step
 * repeats once a script runs out. It records every call in order and the signal each one got.
 */
class ScriptedBroker implements BrokerPort {
  readonly name = 'scripted';
  readonly calls: ('submit' | 'getOrder')[] = [];
  readonly submitSignals: (AbortSignal | undefined)[] = [];

  constructor(
    private readonly submits: SubmitStep[],
    private readonly lookups: LookupStep[] = [async () => undefined],
  ) {}

  submitOrder(_order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    this.calls.push('submit');
    this.submitSignals.push(signal);
    return next(this.submits)(signal);
  }

  getOrder(_clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    this.calls.push('getOrder');
    return next(this.lookups)(signal);
  }

  cancelOrder(): Promise<void> {
    return Promise.reject(new BrokerUnavailableError('cancelOrder is not scripted', false));
  }

  getOrderByBrokerId(): Promise<OrderStatusReport | undefined> {
    return Promise.reject(new BrokerUnavailableError('getOrderByBrokerId is not scripted', false));
  }

  listOpenOrders(): Promise<OrderStatusReport[]> {
    return Promise.resolve([]);
  }

  listFillsSince(): Promise<FillReport[]> {
    return Promise.resolve([]);
  }

  getClock(): Promise<MarketClock> {
    return Promise.reject(new BrokerUnavailableError('getClock is not scripted', false));
  }

  getPositions(): Promise<PositionReport[]> {
    return Promise.resolve([]);
  }

  getAccount(): Promise<AccountReport> {
    return Promise.resolve({ cash: 0, equity: 0, buyingPower: 0, currency: 'USD' });
  }
}

function next<T>(steps: T[]): T {
  const step = steps.length > 1 ? steps.shift() : steps[0];
  if (step === undefined) throw new Error('the script is empty');
  return step;
}

const BOOK_ORDER = aBookOrder();
const ORDER: SubmitOrder = {
  clientOrderId: BOOK_ORDER.clientOrderId,
  symbol: BOOK_ORDER.symbol,
  side: BOOK_ORDER.side,
  qty: BOOK_ORDER.qty,
  type: 'market',
  timeInForce: 'day',
  referencePrice: BOOK_ORDER.referencePrice,
};
const ACCEPTED = aReport(BOOK_ORDER, 'ACCEPTED');

const accept: SubmitStep = async () => ACCEPTED;
const refuseToConnect: SubmitStep = async () => {
  throw new BrokerUnavailableError('connect ECONNREFUSED', false);
};
const resetAfterSending: SubmitStep = async () => {
  throw new BrokerUnavailableError('socket hang up', true);
};
/** Never answers; rejects as an adapter would once the policy aborts the attempt. */
const hangUntilAborted: SubmitStep = (signal) =>
  new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(new BrokerUnavailableError('aborted', true)), {
      once: true,
    });
  });
/** Never answers and ignores the abort signal. */
const hangForever: SubmitStep = () => new Promise(() => {});

/** A policy with a deadline `deadlineMs` from now, real time, and no jitter. */
function policy(deadlineMs: number, overrides: Partial<SubmitPolicy> = {}): SubmitPolicy {
  return {
    deadline: Date.now() + deadlineMs,
    maxAttempts: 10,
    perAttemptTimeoutMs: 100,
    baseBackoffMs: 20,
    now: () => Date.now(),
    random: () => 0,
    ...overrides,
  };
}

/** Runs the policy and measures how long it took. */
async function timed(
  broker: BrokerPort,
  settings: SubmitPolicy,
): Promise<{ outcome: SubmitOutcome; elapsed: number }> {
  const started = Date.now();
  const outcome = await submitWithinDeadline(broker, ORDER, settings);
  return { outcome, elapsed: Date.now() - started };
}

describe('submitWithinDeadline answers', () => {
  it('reports the broker answer of a first successful attempt', async () => {
    // Prepare
    const broker = new ScriptedBroker([accept]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300));

    // Assess
    expect(outcome).toEqual({ kind: 'reported', report: ACCEPTED, attempts: 1 });
    expect(broker.calls).toEqual(['submit']);
  });

  it('ends at once on a broker rejection without retrying', async () => {
    // Prepare
    const broker = new ScriptedBroker([
      async () => {
        throw new BrokerRejectedError('INSUFFICIENT_BUYING_POWER', 'order cost exceeds cash');
      },
      accept,
    ]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300));

    // Assess
    expect(outcome).toEqual({
      kind: 'rejected',
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'order cost exceeds cash',
      attempts: 1,
    });
    expect(broker.calls).toEqual(['submit']);
  });

  it('retries a failure that cannot have reached the broker without looking the order up', async () => {
    // Prepare
    const broker = new ScriptedBroker([refuseToConnect, accept]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300, { random: () => 0.5 }));

    // Assess
    expect(outcome).toEqual({ kind: 'reported', report: ACCEPTED, attempts: 2 });
    expect(broker.calls).toEqual(['submit', 'submit']);
  });

  it('looks the order up, as after any ambiguous failure, when the broker fails in a way no adapter should', async () => {
    // Prepare
    const broker = new ScriptedBroker(
      [
        async () => {
          throw new TypeError('cannot read properties of undefined');
        },
        accept,
      ],
      [async () => ACCEPTED],
    );

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300));

    // Assess
    expect(outcome.kind).toBe('reported');
    expect(broker.calls).toEqual(['submit', 'getOrder']);
  });

  it('makes no attempt when the deadline has passed', async () => {
    // Prepare
    const broker = new ScriptedBroker([accept]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(-1));

    // Assess
    expect(outcome).toEqual({ kind: 'unavailable', message: 'no attempt was made', attempts: 0 });
    expect(broker.calls).toEqual([]);
  });
});

describe('submitWithinDeadline after an ambiguous failure', () => {
  it('looks the order up after a timeout and reports what it finds without submitting again', async () => {
    // Prepare
    const found = aReport(BOOK_ORDER, 'FILLED');
    const broker = new ScriptedBroker([hangUntilAborted, accept], [async () => found]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300, { perAttemptTimeoutMs: 50 }));

    // Assess
    expect(outcome).toEqual({ kind: 'reported', report: found, attempts: 1 });
    expect(broker.calls).toEqual(['submit', 'getOrder']);
  });

  it('submits again with the same order once the lookup shows the broker never got it', async () => {
    // Prepare
    const broker = new ScriptedBroker([resetAfterSending, accept], [async () => undefined]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300));

    // Assess
    expect(outcome).toEqual({ kind: 'reported', report: ACCEPTED, attempts: 2 });
    expect(broker.calls).toEqual(['submit', 'getOrder', 'submit']);
  });

  it('retries a failed lookup before submitting again', async () => {
    // Prepare
    const broker = new ScriptedBroker(
      [resetAfterSending, accept],
      [
        async () => {
          throw new BrokerUnavailableError('lookup failed', false);
        },
        async () => ACCEPTED,
      ],
    );

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300));

    // Assess
    expect(outcome).toEqual({ kind: 'reported', report: ACCEPTED, attempts: 1 });
    expect(broker.calls).toEqual(['submit', 'getOrder', 'getOrder']);
  });

  it('answers unknown at the deadline when the order is never found, looking up before every resubmit', async () => {
    // Prepare
    const broker = new ScriptedBroker([resetAfterSending], [async () => undefined]);

    // Act
    const { outcome, elapsed } = await timed(broker, policy(300, { maxAttempts: 100, random: () => 0.5 }));

    // Assess
    expect(outcome).toMatchObject({ kind: 'unknown', message: 'socket hang up' });
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(elapsed).toBeLessThan(450);
    const resubmits = broker.calls.flatMap((call, index) => (index > 0 && call === 'submit' ? [index] : []));
    expect(resubmits.every((index) => broker.calls[index - 1] === 'getOrder')).toBe(true);
  });

  it('stays unknown when a later attempt fails in a way that cannot have reached the broker', async () => {
    // Prepare
    const broker = new ScriptedBroker([resetAfterSending, refuseToConnect], [async () => undefined]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300, { maxAttempts: 2 }));

    // Assess
    expect(outcome).toEqual({ kind: 'unknown', message: 'connect ECONNREFUSED', attempts: 2 });
  });
});

describe('submitWithinDeadline giving up', () => {
  it('answers unavailable at the deadline when the broker cannot be reached', async () => {
    // Prepare
    const broker = new ScriptedBroker([refuseToConnect]);

    // Act
    const { outcome, elapsed } = await timed(broker, policy(300, { maxAttempts: 100, random: () => 0.5 }));

    // Assess
    expect(outcome).toMatchObject({ kind: 'unavailable', message: 'connect ECONNREFUSED' });
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(elapsed).toBeLessThan(450);
    expect(broker.calls).not.toContain('getOrder');
  });

  it('stops after the maximum number of attempts', async () => {
    // Prepare
    const broker = new ScriptedBroker([refuseToConnect]);

    // Act
    const outcome = await submitWithinDeadline(broker, ORDER, policy(300, { maxAttempts: 3 }));

    // Assess
    expect(outcome).toEqual({ kind: 'unavailable', message: 'connect ECONNREFUSED', attempts: 3 });
    expect(broker.calls).toEqual(['submit', 'submit', 'submit']);
  });

  it('gives up at once when the broker asks to wait longer than the time left', async () => {
    // Prepare
    const broker = new ScriptedBroker([
      async () => {
        throw new BrokerRateLimitedError('too many requests', 5000);
      },
      accept,
    ]);

    // Act
    const { outcome, elapsed } = await timed(broker, policy(300));

    // Assess
    expect(outcome).toEqual({ kind: 'unavailable', message: 'too many requests', attempts: 1 });
    expect(elapsed).toBeLessThan(150);
  });

  it('waits as long as a rate-limited broker asks when there is time, then retries', async () => {
    // Prepare
    const broker = new ScriptedBroker([
      async () => {
        throw new BrokerRateLimitedError('too many requests', 80);
      },
      accept,
    ]);

    // Act
    const { outcome, elapsed } = await timed(broker, policy(300));

    // Assess
    expect(outcome).toEqual({ kind: 'reported', report: ACCEPTED, attempts: 2 });
    expect(elapsed).toBeGreaterThanOrEqual(75);
  });
});

describe('submitWithinDeadline per-attempt timeout', () => {
  it('aborts a hanging submit and moves on well before the deadline', async () => {
    // Prepare
    const broker = new ScriptedBroker([hangForever], [async () => ACCEPTED]);

    // Act
    const { outcome, elapsed } = await timed(broker, policy(300, { perAttemptTimeoutMs: 50 }));

    // Assess
    expect(broker.submitSignals[0]?.aborted).toBe(true);
    expect(outcome).toEqual({ kind: 'reported', report: ACCEPTED, attempts: 1 });
    expect(elapsed).toBeLessThan(200);
  });

  it('cuts an attempt short at the deadline and answers unknown', async () => {
    // Prepare
    const broker = new ScriptedBroker([hangForever]);

    // Act
    const { outcome, elapsed } = await timed(broker, policy(100, { perAttemptTimeoutMs: 10_000 }));

    // Assess
    expect(outcome).toMatchObject({ kind: 'unknown', attempts: 1 });
    expect(outcome.kind === 'unknown' && outcome.message).toMatch(/timed out/);
    expect(broker.submitSignals[0]?.aborted).toBe(true);
    expect(elapsed).toBeLessThan(250);
  });
});
