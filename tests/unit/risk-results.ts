/**
 * Helpers for the risk unit tests: unwrap a check that must pass or must be denied, and the orders
 * and limits most tests start from.
 */
import { expect } from 'vitest';
import type { Denial } from '../../src/domain/denial.ts';
import type { Reservation, RiskLimits, RiskResult } from '../../src/domain/risk.ts';
import { anIntent } from './builders.ts';

/** No limit configured: an empty allowlist lets every symbol through. */
export const NO_LIMITS: RiskLimits = { symbolAllowlist: [] };

/** A sell of 5 AAPL that reduces a long. */
export const REDUCE = anIntent({ side: 'sell', qty: 5, effect: 'reduce', referencePrice: 100 });

/** The reservation of an order that must pass. */
export function reservationOf(result: RiskResult): Reservation {
  if (!result.ok) return expect.unreachable(`checkOrder denied: ${JSON.stringify(result.denial)}`);
  return result.reservation;
}

/** The denial of an order that must be denied. */
export function denialOf(result: RiskResult): Denial {
  if (result.ok) return expect.unreachable(`checkOrder passed: ${JSON.stringify(result.reservation)}`);
  return result.denial;
}
