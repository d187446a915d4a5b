/**
 * A circuit breaker for one broker account: when the broker keeps failing, new alerts are answered 503
 * at once (TradingView resends) instead of each waiting out the deadline against a broker that is down.
 * A state machine over an injected clock, with no I/O: state changes go to a listener.
 *
 * Invariants:
 * - CLOSED admits every submission; `failureThreshold` consecutive failures open it.
 * - OPEN admits nothing for `openMs`, then turns HALF_OPEN.
 * - HALF_OPEN admits one probe at a time and refuses the rest while it runs; the probe's success closes
 *   the circuit, its failure opens it again. A probe released without a broker outcome (risk denied it,
 *   or it crashed) frees the slot at once; a probe that never reports is presumed lost after `openMs`.
 * - The outcome of a whole submission counts, not of each attempt: 'unavailable' and 'unknown' are
 *   failures; 'reported' and 'rejected' are successes (the broker answered).
 * - Each state change starts a new period; outcomes of submissions admitted in an earlier period are
 *   ignored, so a slow failure from before a recovery does not count against it.
 * - State lives in memory, per process. On Lambda every container has its own breaker and none share
 *   state: each container opens after its own run of failures.
 */
import type { Logger } from './logger.ts';
import type { SubmitOutcome } from './submit-policy.ts';

/** The states of a circuit. */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** When the circuit opens and for how long. */
export interface CircuitSettings {
  /** Consecutive failed submissions that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before a probe may go through. */
  openMs: number;
}

/** Leave to submit, held from admission until the outcome is reported or the permit released. */
export interface CircuitPermit {
  readonly period: number;
  readonly probe: boolean;
}

/** The answer to a request for admission. */
export type Admission =
  | { admitted: true; permit: CircuitPermit }
  | { admitted: false; state: Exclude<CircuitState, 'CLOSED'>; retryInMs: number };

/** A state change, for logs. */
export interface CircuitChange {
  from: CircuitState;
  to: CircuitState;
  /** Consecutive failures counted when the change happened. */
  failures: number;
}

/** The circuit breaker of one broker account. */
export class CircuitBreaker {
  private current: CircuitState = 'CLOSED';
  private failures = 0;
  private openedAt = 0;
  private period = 0;
  private probe: { permit: CircuitPermit; startedAt: number } | undefined;

  constructor(
    private readonly settings: CircuitSettings,
    private readonly now: () => number,
    private readonly onChange: (change: CircuitChange) => void = () => undefined,
  ) {}

  /** The state now (an OPEN circuit whose time is up reads HALF_OPEN). */
  state(): CircuitState {
    this.advance();
    return this.current;
  }

  /** Asks leave to submit; a refusal says when asking again may succeed. */
  admit(): Admission {
    this.advance();
    const at = this.now();
    if (this.current === 'CLOSED') return { admitted: true, permit: { period: this.period, probe: false } };
    if (this.current === 'OPEN') {
      return { admitted: false, state: 'OPEN', retryInMs: this.openedAt + this.settings.openMs - at };
    }
    if (this.probe) {
      return {
        admitted: false,
        state: 'HALF_OPEN',
        retryInMs: this.probe.startedAt + this.settings.openMs - at,
      };
    }
    const permit: CircuitPermit = { period: this.period, probe: true };
    this.probe = { permit, startedAt: at };
    return { admitted: true, permit };
  }

  /** Counts the outcome of a submission made under `permit`. */
  report(permit: CircuitPermit, outcome: SubmitOutcome['kind']): void {
    this.advance();
    if (permit.period !== this.period) return;
    const failed = outcome === 'unavailable' || outcome === 'unknown';
    if (this.current === 'HALF_OPEN') {
      if (this.probe?.permit !== permit) return;
      this.probe = undefined;
      this.move(failed ? 'OPEN' : 'CLOSED');
      return;
    }
    if (this.current !== 'CLOSED') return;
    if (!failed) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    if (this.failures >= this.settings.failureThreshold) this.move('OPEN');
  }

  /** Ends a permit whose submission never reached an outcome; a probe's slot is freed. */
  release(permit: CircuitPermit): void {
    if (this.probe?.permit === permit) this.probe = undefined;
  }

  private advance(): void {
    const at = this.now();
    if (this.current === 'OPEN' && at - this.openedAt >= this.settings.openMs) this.move('HALF_OPEN');
    if (this.probe && at - this.probe.startedAt >= this.settings.openMs) this.probe = undefined;
  }

  private move(to: CircuitState): void {
    const change: CircuitChange = { from: this.current, to, failures: this.failures };
    this.current = to;
    this.period += 1;
    this.probe = undefined;
    if (to === 'OPEN') this.openedAt = this.now();
    if (to === 'CLOSED') this.failures = 0;
    this.onChange(change);
  }
}

/** A listener writing each state change of `accountId`'s circuit to `log`: opening warns, the rest inform. */
export function logCircuitChanges(log: Logger, accountId: string): (change: CircuitChange) => void {
  return (change) => {
    const fields = { accountId, from: change.from, circuit: change.to, failures: change.failures };
    if (change.to === 'OPEN') log.warn('broker circuit opened: new alerts are refused', fields);
    else if (change.to === 'HALF_OPEN') log.info('broker circuit half-open: the next alert probes', fields);
    else log.info('broker circuit closed', fields);
  };
}
