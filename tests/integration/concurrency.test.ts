import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, stoppedClock, symbolsNamed } from '../support/app-harness.ts';

// DynamoDB Local serves a few hundred requests a second on two cores, so a burst of alerts can spend the
// whole webhook deadline queueing and answer 202 pending. A stopped clock keeps the deadline out of these
// tests: they are about the limits, and every submission still has its real per-attempt timeout.
describe('concurrent alerts against the risk limits', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('opens exactly maxOpenPositions positions when 40 buys for 40 symbols arrive at once', async () => {
    // Prepare
    h = await startHarness({ now: stoppedClock(), env: { PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5' } });
    const harness = h;
    const bodies = symbolsNamed('S', 40).map((symbol) =>
      harness.alert({ symbol, action: 'buy', quantity: 1, price: 50 }),
    );

    // Act
    const replies = await Promise.all(bodies.map((body) => harness.post(body)));

    // Assess
    const accepted = replies.filter((reply) => reply.answer.status === 'accepted');
    const denied = replies.filter((reply) => reply.answer.status === 'denied');
    expect(accepted).toHaveLength(5);
    expect(denied).toHaveLength(35);
    expect(new Set(denied.map((reply) => `${reply.status} ${reply.answer.code}`))).toEqual(
      new Set(['422 MAX_OPEN_POSITIONS']),
    );
    const positions = await harness.positions();
    expect(positions).toHaveLength(5);
    expect((await harness.deps.book.get()).openSymbols).toHaveLength(5);
    expect(await harness.orders()).toHaveLength(5);
  });

  it('never reserves more notional than maxTotalExposure when many buys arrive at once', async () => {
    // Prepare: 24 buys of 300 to 1450 notional against a limit of 10 000 (together about 20 000)
    const limit = 10_000;
    h = await startHarness({
      now: stoppedClock(),
      env: {
        PINEBRIDGE__RISK__MAX_TOTAL_EXPOSURE: String(limit),
        PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS: '0',
      },
    });
    const harness = h;
    const buys = symbolsNamed('S', 24).map((symbol, i) => ({ symbol, quantity: 6 + (i % 6) * 5, price: 50 }));

    // Act
    const replies = await Promise.all(
      buys.map((buy) => harness.post(harness.alert({ ...buy, action: 'buy' }))),
    );

    // Assess
    const notionalOf = (i: number) => (buys[i]?.quantity ?? 0) * (buys[i]?.price ?? 0);
    const acceptedNotional = replies
      .map((reply, i) => (reply.answer.status === 'accepted' ? notionalOf(i) : 0))
      .reduce((sum, n) => sum + n, 0);
    expect(acceptedNotional).toBeGreaterThan(0);
    expect(acceptedNotional).toBeLessThanOrEqual(limit);
    const book = await harness.deps.book.get();
    expect(book.exposure).toBe(acceptedNotional);
    const room = limit - acceptedNotional;
    replies.forEach((reply, i) => {
      if (reply.answer.status === 'accepted') return;
      // Exposure only grew, so every denied buy is also too big for what is left at the end.
      expect(reply.answer).toMatchObject({ status: 'denied', code: 'MAX_TOTAL_EXPOSURE' });
      expect(notionalOf(i)).toBeGreaterThan(room);
    });
  });

  it('accepts exactly one of 10 identical bodies arriving at once', async () => {
    // Prepare
    h = await startHarness({ now: stoppedClock() });
    const harness = h;
    const body = harness.alert({ symbol: 'AAPL', action: 'buy', quantity: 3, price: 180 });

    // Act
    const replies = await Promise.all(Array.from({ length: 10 }, () => harness.post(body)));

    // Assess
    const statuses = replies.map((reply) => reply.answer.status).sort();
    expect(statuses).toEqual(['accepted', ...Array<string>(9).fill('duplicate')]);
    const winner = replies.find((reply) => reply.answer.status === 'accepted')?.answer.alertId;
    for (const reply of replies.filter((r) => r.answer.status === 'duplicate')) {
      expect(reply.answer.duplicateOf).toBe(winner);
    }
    expect(await harness.orders()).toHaveLength(1);
    expect(await harness.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 3 })]);
  });

  it('never sells more than is held when different exits of one position arrive at once', async () => {
    // Prepare: long 10, then 4 exits and 8 sells of 3 (together far more than 10)
    h = await startHarness({ now: stoppedClock() });
    const harness = h;
    await harness.post(harness.alert({ symbol: 'MSFT', action: 'buy', quantity: 10, price: 400 }));
    const exits = [
      ...Array.from({ length: 4 }, (_, i) => harness.alert({ symbol: 'MSFT', action: 'exit', id: `x${i}` })),
      ...Array.from({ length: 8 }, (_, i) =>
        harness.alert({ symbol: 'MSFT', action: 'sell', quantity: 3, price: 401, id: `s${i}` }),
      ),
    ];

    // Act
    const replies = await Promise.all(exits.map((body) => harness.post(body)));

    // Assess
    const sold = replies
      .filter((reply) => reply.answer.status === 'accepted')
      .reduce((sum, reply) => sum + (reply.answer.filledQty ?? 0), 0);
    expect(sold).toBeGreaterThan(0);
    expect(sold).toBeLessThanOrEqual(10);
    for (const reply of replies.filter((r) => r.answer.status !== 'accepted')) {
      // Denied once nothing is left to close; 503 (resend) when the book kept moving under the reservation.
      const outcome = `${reply.status} ${reply.answer.status} ${reply.answer.code ?? ''}`.trim();
      expect(['422 denied POSITION_ALREADY_CLOSING', '422 denied NO_POSITION', '503 unavailable']).toContain(
        outcome,
      );
    }
    const book = await harness.deps.book.get();
    expect(book.symbols.MSFT?.position.qty).toBe(10 - sold);
    expect(book.symbols.MSFT?.reducing).toBe(0);
    const brokerPositions = await harness.deps.broker.getPositions();
    expect(brokerPositions.find((p) => p.symbol === 'MSFT')?.qty ?? 0).toBe(10 - sold);
    const sells = (await harness.orders()).filter((order) => order.side === 'sell');
    expect(sells.reduce((sum, order) => sum + order.qty, 0)).toBeLessThanOrEqual(10);
  });
});

describe('risk state kept in the book between alerts', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('frees an open-position slot once a position is closed', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '1' } });
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 2, price: 100 }));
    const whileOpen = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 300 }));
    await h.post(h.alert({ symbol: 'AAPL', action: 'exit', price: 101 }));

    // Act
    const afterClose = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 301 }));

    // Assess
    expect(whileOpen.answer).toMatchObject({
      status: 'denied',
      code: 'MAX_OPEN_POSITIONS',
      limit: 1,
      current: 1,
    });
    expect(afterClose.answer.status).toBe('accepted');
    expect((await h.deps.book.get()).openSymbols).toEqual(['MSFT']);
  });
});
