import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/app-harness.ts';

/**
 * The case a trader meets first after a broker timeout: the entry went through at the broker but
 * its answer was lost (202 pending, order IN_FLIGHT), and the exit alert arrives before a reconcile
 * pass has settled the entry. The exit must close what the broker holds, not be denied NO_POSITION.
 */
describe('an exit that arrives while the entry is still in flight', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('settles the in-flight entry first, then sizes the exit against the position the broker holds', async () => {
    // Prepare: every paper submission is made and booked, but its answer never comes
    h = await startHarness({
      env: {
        PINEBRIDGE__WEBHOOK__DEADLINE_MS: '1000',
        PINEBRIDGE__BROKER__PAPER__FAULTS__TIMEOUT_AFTER_ACCEPT_RATE: '1',
      },
    });
    const entry = await h.post(
      h.alert({ symbol: 'INFL', action: 'buy', qty: 10, price: 50, time: new Date().toISOString() }),
    );

    // Act
    const exit = await h.post(
      h.alert({ symbol: 'INFL', action: 'exit', price: 51, time: new Date().toISOString() }),
    );
    await h.api('/reconcile', { method: 'POST' });

    // Assess
    expect(entry.answer).toMatchObject({ status: 'pending' });
    expect(exit.answer).toMatchObject({ status: 'pending' });
    const orders = await h.orders();
    const exitOrder = orders.find((order) => order.side === 'sell');
    expect(exitOrder).toMatchObject({ symbol: 'INFL', qty: 10, effect: 'reduce', status: 'FILLED' });
    expect((await h.positions()).filter((position) => position.symbol === 'INFL')).toEqual([]);
    expect(await h.deps.broker.getPositions()).toEqual([]);
  });
});
