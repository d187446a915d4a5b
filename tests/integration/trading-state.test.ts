import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, stoppedClock, symbolsNamed } from '../support/app-harness.ts';

/** Buys AAPL and MSFT, then sells AAPL 10 lower: a realized loss of about 100 with MSFT still held. */
async function loseAboutOneHundred(h: Harness): Promise<void> {
  await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100 }));
  await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 300 }));
  const sold = await h.post(h.alert({ symbol: 'AAPL', action: 'sell', quantity: 10, price: 90 }));
  expect(sold.answer.status).toBe('accepted');
}

describe('the daily loss limit', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('switches trading to REDUCING by itself once the realized loss reaches maxDailyLoss', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__RISK__MAX_DAILY_LOSS: '50' } });
    const before = await h.account();

    // Act
    await loseAboutOneHundred(h);

    // Assess
    expect(before.tradingState).toBe('ACTIVE');
    const after = await h.account();
    expect(after.tradingState).toBe('REDUCING');
    expect(after.realizedPnlToday).toBeLessThanOrEqual(-50);
    expect(h.logs.some((line) => line.includes('daily loss limit reached'))).toBe(true);
  });

  it('denies new positions once the day has lost maxDailyLoss, and still lets positions close', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__RISK__MAX_DAILY_LOSS: '50' } });
    await loseAboutOneHundred(h);

    // Act
    const opening = await h.post(h.alert({ symbol: 'NVDA', action: 'buy', quantity: 1, price: 90 }));
    const adding = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 299 }));
    const closing = await h.post(h.alert({ symbol: 'MSFT', action: 'exit', price: 299 }));

    // Assess
    expect(opening.status).toBe(422);
    expect(opening.answer).toMatchObject({ status: 'denied', code: 'TRADING_REDUCING' });
    expect(adding.answer).toMatchObject({ status: 'denied', code: 'TRADING_REDUCING' });
    expect(closing.answer.status).toBe('accepted');
    expect(await h.positions()).toEqual([]);
  });

  it('keeps denying new positions with MAX_DAILY_LOSS when a person sets ACTIVE again the same day', async () => {
    // Prepare
    h = await startHarness({ env: { PINEBRIDGE__RISK__MAX_DAILY_LOSS: '50' } });
    await loseAboutOneHundred(h);

    // Act
    const reset = await h.setTradingState('ACTIVE');
    const opening = await h.post(h.alert({ symbol: 'NVDA', action: 'buy', quantity: 1, price: 90 }));
    const closing = await h.post(h.alert({ symbol: 'MSFT', action: 'exit', price: 301 }));

    // Assess
    expect(reset).toMatchObject({ status: 200, account: { tradingState: 'ACTIVE' } });
    expect(opening.answer).toMatchObject({ status: 'denied', code: 'MAX_DAILY_LOSS', limit: 50 });
    expect(opening.answer.current).toBeGreaterThanOrEqual(50);
    expect(closing.answer.status).toBe('accepted');
  });

  it('halts everything, closes included, when risk.onDailyLossBreach is HALTED', async () => {
    // Prepare
    h = await startHarness({
      env: { PINEBRIDGE__RISK__MAX_DAILY_LOSS: '50', PINEBRIDGE__RISK__ON_DAILY_LOSS_BREACH: 'HALTED' },
    });
    await loseAboutOneHundred(h);

    // Act
    const closing = await h.post(h.alert({ symbol: 'MSFT', action: 'exit', price: 299 }));

    // Assess
    expect((await h.account()).tradingState).toBe('HALTED');
    expect(closing.answer).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect(await h.positions()).toEqual([expect.objectContaining({ symbol: 'MSFT', qty: 1 })]);
  });

  it('lets no opening order through and every close through when both arrive at once after a breach', async () => {
    // Prepare: three positions left open after the loss, then 12 buys and 3 exits at the same moment
    h = await startHarness({ now: stoppedClock(), env: { PINEBRIDGE__RISK__MAX_DAILY_LOSS: '50' } });
    const harness = h;
    for (const symbol of ['KO', 'PEP']) {
      await harness.post(harness.alert({ symbol, action: 'buy', quantity: 2, price: 60 }));
    }
    await loseAboutOneHundred(harness);
    const buys = symbolsNamed('B', 12).map((symbol) =>
      harness.alert({ symbol, action: 'buy', quantity: 1, price: 10 }),
    );
    const exits = ['KO', 'PEP', 'MSFT'].map((symbol) => harness.alert({ symbol, action: 'exit', price: 61 }));

    // Act
    const replies = await Promise.all([...buys, ...exits].map((body) => harness.post(body)));

    // Assess
    const buyOutcomes = replies.slice(0, buys.length).map((r) => `${r.status} ${r.answer.code}`);
    expect(new Set(buyOutcomes)).toEqual(new Set(['422 TRADING_REDUCING']));
    expect(replies.slice(buys.length).map((reply) => reply.answer.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
    expect(await harness.positions()).toEqual([]);
    expect((await harness.deps.book.get()).openSymbols).toEqual([]);
  });
});

describe('POST /api/trading-state', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('halts trading: every alert is denied TRADING_HALTED, closes included, and nothing is sent', async () => {
    // Prepare
    h = await startHarness();
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 3, price: 100 }));
    const ordersBefore = await h.orders();

    // Act
    const switched = await h.setTradingState('HALTED');
    const buy = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 300 }));
    const exit = await h.post(h.alert({ symbol: 'AAPL', action: 'exit', price: 101 }));

    // Assess
    expect(switched).toMatchObject({ status: 200, account: { tradingState: 'HALTED' } });
    expect(buy.status).toBe(422);
    expect(buy.answer).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect(exit.answer).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect(await h.orders()).toHaveLength(ordersBefore.length);
    expect((await h.account()).tradingState).toBe('HALTED');
  });

  it('makes trading reduce-only with REDUCING, and trades again once back to ACTIVE', async () => {
    // Prepare
    h = await startHarness();
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 3, price: 100 }));

    // Act
    const reducing = await h.setTradingState('REDUCING');
    const opening = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 300 }));
    const adding = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100 }));
    const reduce = await h.post(h.alert({ symbol: 'AAPL', action: 'sell', quantity: 1, price: 101 }));
    const active = await h.setTradingState('active');
    const reopened = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 301 }));

    // Assess
    expect(reducing).toMatchObject({ status: 200, account: { tradingState: 'REDUCING' } });
    expect(opening.answer).toMatchObject({ status: 'denied', code: 'TRADING_REDUCING' });
    expect(adding.answer).toMatchObject({ status: 'denied', code: 'TRADING_REDUCING' });
    expect(reduce.answer).toMatchObject({ status: 'accepted', side: 'sell', filledQty: 1 });
    expect(active).toMatchObject({ status: 200, account: { tradingState: 'ACTIVE' } });
    expect(reopened.answer.status).toBe('accepted');
    expect((await h.positions()).map(({ symbol, qty }) => `${symbol} ${qty}`).sort()).toEqual([
      'AAPL 2',
      'MSFT 1',
    ]);
  });

  it('answers 400 to a state it does not know and leaves the state as it was', async () => {
    // Prepare
    h = await startHarness();

    // Act
    const unknown = await h.setTradingState('PAUSED');
    const noToken = await h.app.request('/api/trading-state', {
      method: 'POST',
      body: JSON.stringify({ state: 'HALTED' }),
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expect(unknown.status).toBe(400);
    expect(noToken.status).toBe(401);
    expect((await h.account()).tradingState).toBe('ACTIVE');
  });
});
