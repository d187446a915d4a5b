import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/app-harness.ts';

// One harness for the file: each test trades its own symbol, in order, from the position the test before
// it left where it says so.
describe('target-position sizing over the app', () => {
  let h: Harness;
  beforeAll(async () => {
    // The strategy is configured as TREND and alerts name it Trend: names match without regard to case.
    h = await startHarness({
      env: {
        PINEBRIDGE__STRATEGIES__TREND__SIZING__MODE: 'targetPosition',
        PINEBRIDGE__RISK__ALLOW_SHORT: 'true',
      },
    });
  });
  afterAll(() => h.close());

  /** An alert of the Trend strategy for `symbol` asking for `positionSize`. */
  const target = (symbol: string, positionSize: number, fields: Record<string, unknown> = {}) =>
    h.alert({
      symbol,
      strategy: 'Trend',
      action: positionSize >= 0 ? 'buy' : 'sell',
      position_size: positionSize,
      market_position: positionSize > 0 ? 'long' : positionSize < 0 ? 'short' : 'flat',
      ...fields,
    });

  it('reverses long 10 to short 5 with two orders, the close before the open', async () => {
    // Prepare
    const opened = await h.post(target('AAPL', 10, { price: 100, prev_market_position: 'flat' }));

    // Act
    const reversed = await h.post(target('AAPL', -5, { price: 101, prev_market_position: 'long' }));

    // Assess
    expect(opened.answer).toMatchObject({ status: 'accepted', side: 'buy', qty: 10, filledQty: 10 });
    expect(reversed.status).toBe(200);
    expect(reversed.answer.orders).toEqual([
      expect.objectContaining({ side: 'sell', qty: 10, effect: 'reduce', status: 'FILLED' }),
      expect.objectContaining({ side: 'sell', qty: 5, effect: 'open', status: 'FILLED' }),
    ]);
    expect(reversed.answer.orderIds).toEqual(reversed.answer.orders?.map((order) => order.orderId));
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'AAPL', qty: -5 }));
    const brokerPositions = await h.deps.broker.getPositions();
    expect(brokerPositions.find((position) => position.symbol === 'AAPL')?.qty).toBe(-5);
    const listed = (await h.alerts()).find((alert) => alert.alertId === reversed.answer.alertId);
    expect(listed?.orderIds).toEqual(reversed.answer.orderIds);
    expect(listed?.warnings).toBeUndefined();
  });

  it('denies a repeated target it already holds with ALREADY_AT_TARGET and sends nothing', async () => {
    // Prepare
    await h.post(target('MSFT', -5, { price: 300, prev_market_position: 'flat' }));
    const ordersBefore = (await h.orders()).length;

    // Act
    const repeated = await h.post(target('MSFT', -5, { price: 299, prev_market_position: 'short' }));

    // Assess
    expect(repeated.status).toBe(422);
    expect(repeated.answer).toMatchObject({ status: 'denied', code: 'ALREADY_AT_TARGET', current: -5 });
    expect(await h.orders()).toHaveLength(ordersBefore);
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'MSFT', qty: -5 }));
  });

  it('trades only the difference to a larger target, so a resent alert does not compound', async () => {
    // Prepare
    await h.post(target('NVDA', 4, { price: 90 }));

    // Act
    const grown = await h.post(target('NVDA', 6, { price: 91 }));
    const again = await h.post(target('NVDA', 6, { price: 92 }));

    // Assess
    expect(grown.answer).toMatchObject({
      status: 'accepted',
      side: 'buy',
      qty: 2,
      orderIds: [grown.answer.orderId],
    });
    expect(again.answer).toMatchObject({ status: 'denied', code: 'ALREADY_AT_TARGET' });
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'NVDA', qty: 6 }));
  });

  it('records a missed-alert warning when the previous position TradingView reports is not ours', async () => {
    // Prepare: we hold 3 AMD long; TradingView says the strategy was flat, so an alert was missed
    await h.post(target('AMD', 3, { price: 120 }));

    // Act
    const { answer } = await h.post(target('AMD', 8, { price: 121, prev_market_position: 'flat' }));

    // Assess
    expect(answer).toMatchObject({ status: 'accepted', qty: 5 });
    const listed = (await h.alerts()).find((alert) => alert.alertId === answer.alertId);
    expect(listed?.warnings).toEqual([expect.stringMatching(/^MISSED_ALERT: .*flat.*long \(3\)/)]);
    expect(h.logs.some((line) => line.includes('MISSED_ALERT'))).toBe(true);
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'AMD', qty: 8 }));
  });

  it('sizes alerts of other strategies from the alert quantity, as configured globally', async () => {
    // Act
    const { answer } = await h.post(
      h.alert({
        symbol: 'INTC',
        strategy: 'Scalper',
        action: 'buy',
        quantity: 2,
        position_size: 9,
        price: 30,
      }),
    );

    // Assess
    expect(answer).toMatchObject({ status: 'accepted', side: 'buy', qty: 2 });
    expect(await h.positions()).toContainEqual(expect.objectContaining({ symbol: 'INTC', qty: 2 }));
  });
});
