/**
 * Fault injection for the paper broker, pure: which failure, if any, one submission meets, so users
 * can rehearse a failing broker and tests can prove the guarantees against one.
 *
 * Faults are tried in a fixed order, each with its own draw from `random`, and the first that fires
 * wins: error, rate limit, reject, then timeout after accept. A rate of 0 draws nothing, so the default
 * settings never consume randomness; a rate of 1 always fires. Only submissions meet faults: lookups
 * stay truthful, so reconciliation can always settle what a fault left unclear.
 */

/** Fault rates (each 0..1) and the wait a simulated rate limit asks for. */
export interface PaperFaults {
  /** The broker is down: BrokerUnavailableError before anything is done (not ambiguous). */
  errorRate: number;
  /** The order is created and booked, then the answer never comes (an ambiguous failure). */
  timeoutAfterAcceptRate: number;
  /** The broker refuses the order: BrokerRejectedError 'SIMULATED_REJECT'. */
  rejectRate: number;
  /** The broker asks to slow down: BrokerRateLimitedError with `retryAfterMs`. */
  rateLimitRate: number;
  retryAfterMs: number;
}

/** A fault a submission meets. */
export type PaperFault = 'error' | 'rate_limit' | 'reject' | 'timeout_after_accept';

/** No faults at all. */
export const NO_FAULTS: PaperFaults = {
  errorRate: 0,
  timeoutAfterAcceptRate: 0,
  rejectRate: 0,
  rateLimitRate: 0,
  retryAfterMs: 1000,
};

/** The fault one submission meets, or undefined when it goes through untouched. */
export function drawFault(faults: PaperFaults, random: () => number): PaperFault | undefined {
  const fires = (rate: number) => rate > 0 && random() < rate;
  if (fires(faults.errorRate)) return 'error';
  if (fires(faults.rateLimitRate)) return 'rate_limit';
  if (fires(faults.rejectRate)) return 'reject';
  if (fires(faults.timeoutAfterAcceptRate)) return 'timeout_after_accept';
  return undefined;
}
