import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, type OrderStatus } from '../../src/domain/order.ts';
import { TRANSITIONS, transition } from '../../src/domain/order-state.ts';

describe('the order state machine', () => {
  it.each([
    ['IN_FLIGHT', 'ACCEPTED'],
    ['IN_FLIGHT', 'FILLED'],
    ['SUBMITTED', 'PARTIALLY_FILLED'],
    ['ACCEPTED', 'PARTIALLY_FILLED'],
    ['PARTIALLY_FILLED', 'FILLED'],
    ['PARTIALLY_FILLED', 'CANCELED'],
    ['ACCEPTED', 'PENDING_CANCEL'],
    ['PENDING_CANCEL', 'CANCELED'],
    ['PENDING_CANCEL', 'FILLED'],
    ['ACCEPTED', 'EXPIRED'],
    ['IN_FLIGHT', 'REJECTED'],
  ] as Array<[OrderStatus, OrderStatus]>)('moves %s to %s', (from, to) => {
    // Act
    const move = transition(from, to);

    // Assess
    expect(move).toEqual({ kind: 'moved', from, to });
  });

  it('lets an order stay where it is, since brokers repeat their reports', () => {
    // Act
    const move = transition('PARTIALLY_FILLED', 'PARTIALLY_FILLED');

    // Assess
    expect(move).toEqual({ kind: 'same' });
  });

  it.each(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED'] as OrderStatus[])(
    'refuses every move out of the terminal status %s',
    (from) => {
      // Prepare
      const others = ORDER_STATUSES.filter((status) => status !== from);

      // Act
      const moves = others.map((to) => transition(from, to));

      // Assess
      for (const move of moves) {
        expect(move).toMatchObject({ kind: 'refused', from, reason: `${from} is terminal` });
      }
    },
  );

  it('refuses a stale report that would take a partly filled order back to accepted', () => {
    // Act
    const move = transition('PARTIALLY_FILLED', 'ACCEPTED');

    // Assess
    expect(move).toEqual({
      kind: 'refused',
      from: 'PARTIALLY_FILLED',
      to: 'ACCEPTED',
      reason: 'PARTIALLY_FILLED cannot become ACCEPTED',
    });
  });

  it('never leads back to INITIALIZED or IN_FLIGHT from a status the broker reported', () => {
    // Prepare
    const reported = ORDER_STATUSES.filter((status) => status !== 'INITIALIZED' && status !== 'IN_FLIGHT');

    // Act
    const backwards = reported.flatMap((from) =>
      (['INITIALIZED', 'IN_FLIGHT'] as OrderStatus[]).filter((to) => TRANSITIONS[from].includes(to)),
    );

    // Assess
    expect(backwards).toEqual([]);
  });
});
