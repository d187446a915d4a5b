/**
 * The order state machine (nautilus_trader's lifecycle). IN_FLIGHT is ours: sent, outcome unknown.
 * A status may only move along TRANSITIONS; a report that would move it any other way (a stale
 * report arriving after a newer one, a broker contradicting a terminal state) is refused, and the
 * order keeps its status. Staying in the same status is always allowed (reports repeat).
 *
 *   INITIALIZED -> IN_FLIGHT -> SUBMITTED -> ACCEPTED -> PARTIALLY_FILLED -> FILLED
 *   and from any working status: PENDING_CANCEL -> CANCELED, EXPIRED, REJECTED
 *
 * Terminal statuses (FILLED, CANCELED, EXPIRED, REJECTED) have no way out.
 */
import type { OrderStatus } from './order.ts';

const WORKING_END: OrderStatus[] = ['PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED'];

/** Where each status may go next. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  INITIALIZED: ['IN_FLIGHT', 'SUBMITTED', 'ACCEPTED', 'REJECTED'],
  IN_FLIGHT: ['SUBMITTED', 'ACCEPTED', 'REJECTED', ...WORKING_END],
  SUBMITTED: ['ACCEPTED', 'REJECTED', ...WORKING_END],
  ACCEPTED: ['REJECTED', ...WORKING_END],
  PARTIALLY_FILLED: ['FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED'],
  PENDING_CANCEL: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  FILLED: [],
  CANCELED: [],
  EXPIRED: [],
  REJECTED: [],
};

/** The outcome of asking to move an order from one status to another. */
export type Transition =
  | { kind: 'same' }
  | { kind: 'moved'; from: OrderStatus; to: OrderStatus }
  | { kind: 'refused'; from: OrderStatus; to: OrderStatus; reason: string };

/** Whether `from` may become `to`. */
export function transition(from: OrderStatus, to: OrderStatus): Transition {
  if (from === to) return { kind: 'same' };
  if (TRANSITIONS[from].includes(to)) return { kind: 'moved', from, to };
  const reason = TRANSITIONS[from].length === 0 ? `${from} is terminal` : `${from} cannot become ${to}`;
  return { kind: 'refused', from, to, reason };
}
