/**
 * Faults a test queues on the fake: each one answers the next matching request(s) instead of, or
 * around, the normal answer. Faults are taken first-queued first, and a fault with `times: n`
 * serves n matching requests before it is used up.
 */

/** What a faulted request meets. */
export type FakeFault =
  /** Answer this status (5xx for an outage) with Alpaca's error body; nothing is done. */
  | { kind: 'status'; status: number; message?: string }
  /**
   * Answer 429 with X-RateLimit-Limit/-Remaining (0)/-Reset (a unix epoch in seconds, now +
   * resetInSeconds, default 1), and Retry-After when retryAfterSeconds is given. Nothing is done.
   */
  | { kind: 'rate_limit'; resetInSeconds?: number; retryAfterSeconds?: number; limit?: number }
  /** Destroy the connection before doing anything: no order is created. */
  | { kind: 'reset_before' }
  /** Do the work (create the order), then destroy the connection instead of answering. */
  | { kind: 'reset_after' }
  /**
   * Do the work, then hold the answer for `ms` (absent: until the client gives up or the fake
   * closes). With `ms` beyond the client's timeout this is accept-then-hang.
   */
  | { kind: 'hang_after'; ms?: number };

/** Which requests a fault applies to, and how many times. */
export interface FaultMatch {
  /** HTTP method; any when absent. */
  method?: string;
  /** The request path: equal to a string, or matching a RegExp; any when absent. */
  path?: string | RegExp;
  /** How many matching requests meet the fault (default 1). */
  times?: number;
}

interface Queued {
  fault: FakeFault;
  match: FaultMatch;
  left: number;
}

/** The queue of faults still to serve. */
export class FaultQueue {
  private queued: Queued[] = [];

  /** Queues `fault` for the next `match.times` requests that match. */
  add(fault: FakeFault, match: FaultMatch = {}): void {
    this.queued.push({ fault, match, left: match.times ?? 1 });
  }

  /** The fault the request meets, if any; it counts as served. */
  take(method: string, path: string): FakeFault | undefined {
    const found = this.queued.find(({ match }) => matches(match, method, path));
    if (!found) return undefined;
    found.left -= 1;
    if (found.left <= 0) this.queued = this.queued.filter((entry) => entry !== found);
    return found.fault;
  }

  /** Faults still queued. */
  get pending(): number {
    return this.queued.length;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.queued = [];
  }
}

function matches(match: FaultMatch, method: string, path: string): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}
