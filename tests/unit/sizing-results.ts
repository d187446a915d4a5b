/**
 * Helpers for the sizing unit tests: the holdings and settings most tests start from, and unwrapping
 * a sizing that must pass or must be denied.
 */
import { expect } from 'vitest';
import type { Denial } from '../../src/domain/denial.ts';
import type { Holding, OrderIntent, SizingResult, SizingSettings } from '../../src/domain/sizing.ts';

/** Flat: nothing held, nothing in flight. */
export const FLAT: Holding = { qty: 0, reducing: 0 };
/** Long 10, nothing in flight. */
export const LONG_10: Holding = { qty: 10, reducing: 0 };

/** Settings in `mode`, whole shares, no shorting; override what the test is about. */
export function settingsFor(
  mode: SizingSettings['mode'],
  overrides: Partial<SizingSettings> = {},
): SizingSettings {
  return { mode, allowFractional: false, allowShort: false, ...overrides };
}

/** The orders of a sizing that must pass. */
export function intentsOf(result: SizingResult): OrderIntent[] {
  if (!result.ok) return expect.unreachable(`sizeOrder denied: ${JSON.stringify(result.denial)}`);
  return result.intents;
}

/** Side, quantity and effect of each order of a sizing that must pass. */
export function legsOf(result: SizingResult): Array<Pick<OrderIntent, 'side' | 'qty' | 'effect'>> {
  return intentsOf(result).map(({ side, qty, effect }) => ({ side, qty, effect }));
}

/** The warnings of a sizing that must pass. */
export function warningsOf(result: SizingResult): string[] {
  if (!result.ok) return expect.unreachable(`sizeOrder denied: ${JSON.stringify(result.denial)}`);
  return result.warnings;
}

/** The denial of a sizing that must be denied. */
export function denialOf(result: SizingResult): Denial {
  if (result.ok) return expect.unreachable(`sizeOrder passed: ${JSON.stringify(result.intents)}`);
  return result.denial;
}
