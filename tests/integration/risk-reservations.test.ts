import { afterEach, describe, expect, it } from 'vitest';
import { refreshBrokerSnapshot } from '../../src/app/reconcile-pass.ts';
import { rateBuckets, tradingDay } from '../../src/domain/book.ts';
import {
  type Harness,
  startHarness,
  stoppedClock,
  symbolsNamed,
  type WebhookAnswer,
} from '../support/app-harness.ts';

/** "<http status> <answer status> <code>" for every reply, counted. */
function outcomes(replies: ReadonlyArray<{ status: number; answer: WebhookAnswer }>): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const { status, answer } of replies) {
    const key = `${status} ${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
    counted[key] = (counted[key] ?? 0) + 1;
  }
  return counted;
}

// As in concurrency.test.ts, a stopped clock keeps the webhook deadline (and the minute and day of the
// rate buckets) out of these tests: every burst falls into one minute, whatever DynamoDB Local's pace.
describe('concurrent alerts against the order-rate limits', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('accepts exactly maxOrdersPerMinute of 12 buys arriving at once and denies the rest', async () => {
    // Prepare
    const now = stoppedClock();
    h = await startHarness({ now, env: { PINEBRIDGE__RISK__MAX_ORDERS_PER_MINUTE: '4' } });
    const harness = h;
    const bodies = symbolsNamed('R', 12).map((symbol) =>
      harness.alert({ symbol, action: 'buy', quantity: 1, price: 20 }),
    );

    // Act
    const replies = await Promise.all(bodies.map((body) => harness.post(body)));

    // Assess
    expect(outcomes(replies)).toEqual({
      '200 accepted': 4,
      '422 denied MAX_ORDERS_PER_MINUTE': 8,
    });
    for (const reply of replies.filter((r) => r.answer.status === 'denied')) {
      expect(reply.answer).toMatchObject({ limit: 4 });
    }
    const minute = rateBuckets(now(), tradingDay(now(), harness.deps.timeZone), undefined).minute;
    expect((await harness.deps.book.get()).rates[minute]).toBe(4);
    expect(await harness.orders()).toHaveLength(4);
    expect(await harness.positions()).toHaveLength(4);
  });

  it('counts maxStrategyOrdersPerDay for each strategy on its own when two strategies burst at once', async () => {
    // Prepare: 8 buys of strategy alpha and 8 of beta, 3 allowed a day per strategy
    const now = stoppedClock();
    h = await startHarness({ now, env: { PINEBRIDGE__RISK__MAX_STRATEGY_ORDERS_PER_DAY: '3' } });
    const harness = h;
    const alerts = [
      ...symbolsNamed('A', 8).map((symbol) => ({ symbol, strategy: 'alpha' })),
      ...symbolsNamed('B', 8).map((symbol) => ({ symbol, strategy: 'beta' })),
    ];
    const bodies = alerts.map((fields) =>
      harness.alert({ ...fields, action: 'buy', quantity: 1, price: 20 }),
    );

    // Act
    const replies = await Promise.all(bodies.map((body) => harness.post(body)));

    // Assess
    for (const strategy of ['alpha', 'beta']) {
      const mine = replies.filter((_, i) => alerts[i]?.strategy === strategy);
      expect(outcomes(mine), strategy).toEqual({
        '200 accepted': 3,
        '422 denied MAX_STRATEGY_ORDERS_PER_DAY': 5,
      });
    }
    const day = tradingDay(now(), harness.deps.timeZone);
    const book = await harness.deps.book.get();
    expect(book.rates[`sd:alpha:${day}`]).toBe(3);
    expect(book.rates[`sd:beta:${day}`]).toBe(3);
    expect(await harness.orders()).toHaveLength(6);
  });
});

describe('concurrent alerts against the exposure limits', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('never reserves more than maxStrategyExposure for a strategy when its buys arrive at once', async () => {
    // Prepare: per strategy, 12 buys of 300 to 1300 notional (about 9 600) against 5 000; unnamed buys too
    const limit = 5000;
    h = await startHarness({
      now: stoppedClock(),
      env: {
        PINEBRIDGE__RISK__MAX_STRATEGY_EXPOSURE: String(limit),
        PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS: '0',
      },
    });
    const harness = h;
    const buys = ['trend', 'revert'].flatMap((strategy) =>
      symbolsNamed(strategy.slice(0, 1).toUpperCase(), 12).map((symbol, i) => ({
        symbol,
        strategy,
        quantity: 6 + (i % 6) * 4,
        price: 50,
      })),
    );
    const unnamed = symbolsNamed('U', 4).map((symbol) => ({ symbol, quantity: 30, price: 50 }));

    // Act
    const replies = await Promise.all(
      [...buys, ...unnamed].map((buy) => harness.post(harness.alert({ ...buy, action: 'buy' }))),
    );

    // Assess
    const book = await harness.deps.book.get();
    for (const strategy of ['trend', 'revert']) {
      const notional = (i: number) => (buys[i]?.quantity ?? 0) * (buys[i]?.price ?? 0);
      const mine = buys.map((buy, i) => ({ buy, i })).filter(({ buy }) => buy.strategy === strategy);
      const accepted = mine
        .filter(({ i }) => replies[i]?.answer.status === 'accepted')
        .reduce((sum, { i }) => sum + notional(i), 0);
      expect(accepted, strategy).toBeGreaterThan(0);
      expect(accepted, strategy).toBeLessThanOrEqual(limit);
      expect(book.strategies[strategy]?.exposure, strategy).toBe(accepted);
      const room = limit - accepted;
      for (const { i } of mine.filter(({ i }) => replies[i]?.answer.status !== 'accepted')) {
        expect(replies[i]?.answer).toMatchObject({ status: 'denied', code: 'MAX_STRATEGY_EXPOSURE' });
        expect(notional(i)).toBeGreaterThan(room);
      }
    }
    // Orders without a strategy are not held to a strategy's limit.
    expect(replies.slice(buys.length).map((reply) => reply.answer.status)).toEqual(
      Array(unnamed.length).fill('accepted'),
    );
  });

  it('never reserves more pending notional than the buying power the broker reported', async () => {
    // Prepare: limit buys below the price stay working at the paper broker, so nothing is paid and the
    // pending notional stays reserved; 16 buys of 500 to 1 750 (about 18 000) against 10 000
    const buyingPower = 10_000;
    h = await startHarness({
      now: stoppedClock(),
      env: { PINEBRIDGE__BROKER__PAPER__STARTING_CASH: String(buyingPower) },
    });
    const harness = h;
    await refreshBrokerSnapshot(harness.deps);
    const buys = symbolsNamed('W', 16).map((symbol, i) => ({
      symbol,
      quantity: 10 + (i % 6) * 5,
      price: 50,
    }));

    // Act
    const replies = await Promise.all(
      buys.map((buy) =>
        harness.post(harness.alert({ ...buy, action: 'buy', type: 'limit', limit_price: buy.price - 5 })),
      ),
    );

    // Assess
    const notional = (i: number) => (buys[i]?.quantity ?? 0) * (buys[i]?.price ?? 0);
    const acceptedIndexes = buys.map((_, i) => i).filter((i) => replies[i]?.answer.status === 'accepted');
    const reserved = acceptedIndexes.reduce((sum, i) => sum + notional(i), 0);
    expect(acceptedIndexes.length).toBeGreaterThan(0);
    for (const i of acceptedIndexes) expect(replies[i]?.answer.orderStatus).toBe('ACCEPTED');
    expect(reserved).toBeLessThanOrEqual(buyingPower);
    const book = await harness.deps.book.get();
    expect(book.broker?.buyingPower).toBe(buyingPower);
    expect(book.pendingNotional).toBe(reserved);
    const room = buyingPower - reserved;
    replies.forEach((reply, i) => {
      if (reply.answer.status === 'accepted') return;
      expect(reply.answer).toMatchObject({
        status: 'denied',
        code: 'INSUFFICIENT_BUYING_POWER',
        limit: buyingPower,
      });
      expect(notional(i)).toBeGreaterThan(room);
    });
    expect(await harness.positions()).toEqual([]);
  });
});

describe('alert times', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('never applies an alert older than one already applied when one symbol gets many at once', async () => {
    // Prepare: 12 buys of AAPL stamped 1 to 12 seconds before now, sent in a shuffled order
    const now = stoppedClock();
    h = await startHarness({ now });
    const harness = h;
    const times = Array.from({ length: 12 }, (_, i) => new Date(now().getTime() - (12 - i) * 1000));
    const order = [7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 8, 4];
    const bodies = order.map((i) =>
      harness.alert({
        symbol: 'AAPL',
        action: 'buy',
        quantity: 1,
        price: 100,
        time: times[i]?.toISOString(),
      }),
    );

    // Act
    const replies = await Promise.all(bodies.map((body) => harness.post(body)));
    const late = await harness.post(
      harness.alert({
        symbol: 'AAPL',
        action: 'buy',
        quantity: 2,
        price: 100,
        time: times[10]?.toISOString(),
      }),
    );

    // Assess
    const sent = order.map((i) => times[i]?.toISOString() ?? '');
    const acceptedTimes = sent.filter((_, k) => replies[k]?.answer.status === 'accepted');
    const newest = times[11]?.toISOString();
    expect(acceptedTimes).toContain(newest);
    const book = await harness.deps.book.get();
    expect(book.lastAlertAt.AAPL).toBe(newest);
    replies.forEach((reply, k) => {
      if (reply.answer.status === 'accepted') return;
      expect(`${reply.status} ${reply.answer.code}`).toBe('422 OUT_OF_ORDER_ALERT');
      expect(sent[k] ?? '').not.toBe(newest);
    });
    expect(late.answer).toMatchObject({ status: 'denied', code: 'OUT_OF_ORDER_ALERT' });
    expect(book.symbols.AAPL?.position.qty).toBe(acceptedTimes.length);
    expect(await harness.orders()).toHaveLength(acceptedTimes.length);
  });

  it('denies an alert older than maxAlertAgeSeconds, or too far ahead of our clock, before any order', async () => {
    // Prepare
    const now = stoppedClock();
    h = await startHarness({ now });
    const at = (offsetSeconds: number) => new Date(now().getTime() + offsetSeconds * 1000).toISOString();

    // Act
    const stale = await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 1, time: at(-61) }),
    );
    const ahead = await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 1, time: at(6) }),
    );
    const fresh = await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 1, time: at(-59) }),
    );

    // Assess
    expect(stale.status).toBe(422);
    expect(stale.answer).toMatchObject({ status: 'denied', code: 'STALE_ALERT', limit: 60, current: 61 });
    expect(ahead.answer).toMatchObject({ status: 'denied', code: 'ALERT_FROM_FUTURE', limit: 5, current: 6 });
    expect(fresh.answer.status).toBe('accepted');
    expect(await h.orders()).toHaveLength(1);
  });
});
