import { describe, expect, it } from 'vitest';
import {
  commission,
  fillPrice,
  nextFillQty,
  type PaperSettings,
  slip,
} from '../../src/brokers/paper/simulate.ts';
import type { SubmitOrder } from '../../src/domain/order.ts';
import { ORDER_ID } from './builders.ts';

const SETTINGS: PaperSettings = {
  slippageBps: 10,
  commissionPerShare: 0,
  commissionPercent: 0,
  minCommission: 0,
  partialFillRatio: 1,
};

/** A market buy of 10 AAPL with the alert price 100; override what the test is about. */
function anOrder(overrides: Partial<SubmitOrder> = {}): SubmitOrder {
  return {
    clientOrderId: ORDER_ID,
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    type: 'market',
    timeInForce: 'day',
    referencePrice: 100,
    ...overrides,
  };
}

describe('fillPrice market orders', () => {
  it('fills a market buy above the alert price by the slippage', () => {
    // Prepare
    const order = anOrder({ side: 'buy' });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(100.1);
  });

  it('fills a market sell below the alert price by the slippage', () => {
    // Prepare
    const order = anOrder({ side: 'sell' });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(99.9);
  });

  it('fills at the alert price without slippage', () => {
    // Prepare
    const order = anOrder({ side: 'buy', referencePrice: 187.23 });

    // Act
    const price = fillPrice(order, { ...SETTINGS, slippageBps: 0 });

    // Assess
    expect(price).toBe(187.23);
  });

  it('does not fill without an alert price', () => {
    // Prepare
    const order = anOrder({ referencePrice: undefined });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBeUndefined();
  });
});

describe('fillPrice limit and stop orders', () => {
  it('fills a marketable limit buy at the slipped price when that is under the limit', () => {
    // Prepare
    const order = anOrder({ side: 'buy', type: 'limit', limitPrice: 101 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(100.1);
  });

  it('caps a marketable limit buy at its limit', () => {
    // Prepare
    const order = anOrder({ side: 'buy', type: 'limit', limitPrice: 100.05 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(100.05);
  });

  it('fills a limit buy with the limit exactly at the alert price at the limit', () => {
    // Prepare
    const order = anOrder({ side: 'buy', type: 'limit', limitPrice: 100 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(100);
  });

  it('rests a limit buy whose limit is under the alert price', () => {
    // Prepare
    const order = anOrder({ side: 'buy', type: 'limit', limitPrice: 99.99 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBeUndefined();
  });

  it('floors a marketable limit sell at its limit', () => {
    // Prepare
    const order = anOrder({ side: 'sell', type: 'limit', limitPrice: 99.95 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(99.95);
  });

  it('fills a marketable limit sell at the slipped price when that is above the limit', () => {
    // Prepare
    const order = anOrder({ side: 'sell', type: 'limit', limitPrice: 98 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBe(99.9);
  });

  it('rests a limit sell whose limit is above the alert price', () => {
    // Prepare
    const order = anOrder({ side: 'sell', type: 'limit', limitPrice: 100.01 });

    // Act
    const price = fillPrice(order, SETTINGS);

    // Assess
    expect(price).toBeUndefined();
  });

  it('rests stop, stop-limit and trailing-stop orders', () => {
    // Prepare
    const orders = [
      anOrder({ type: 'stop', stopPrice: 99 }),
      anOrder({ type: 'stop_limit', stopPrice: 99, limitPrice: 101 }),
      anOrder({ type: 'trailing_stop', trailPercent: 1 }),
    ];

    // Act
    const prices = orders.map((order) => fillPrice(order, SETTINGS));

    // Assess
    expect(prices).toEqual([undefined, undefined, undefined]);
  });
});

describe('nextFillQty', () => {
  it('fills everything at once when the partial fill ratio is 1', () => {
    // Prepare
    const settings = { ...SETTINGS, partialFillRatio: 1 };

    // Act
    const qty = nextFillQty(10, 0, settings, true);

    // Assess
    expect(qty).toBe(10);
  });

  it('fills the ratio of a whole quantity first, rounded down to whole shares', () => {
    // Prepare
    const settings = { ...SETTINGS, partialFillRatio: 0.35 };

    // Act
    const qty = nextFillQty(10, 0, settings, true);

    // Assess
    expect(qty).toBe(3);
  });

  it('fills at least one share of a whole quantity first', () => {
    // Prepare
    const settings = { ...SETTINGS, partialFillRatio: 0.1 };

    // Act
    const qty = nextFillQty(5, 0, settings, true);

    // Assess
    expect(qty).toBe(1);
  });

  it('fills the exact ratio of a fractional quantity first', () => {
    // Prepare
    const settings = { ...SETTINGS, partialFillRatio: 0.5 };

    // Act
    const qty = nextFillQty(0.3, 0, settings, true);

    // Assess
    expect(qty).toBe(0.15);
  });

  it('fills the remainder on the next look', () => {
    // Prepare
    const settings = { ...SETTINGS, partialFillRatio: 0.5 };

    // Act
    const qty = nextFillQty(0.3, 0.15, settings, false);

    // Assess
    expect(qty).toBe(0.15);
  });

  it('fills nothing more once the order is filled', () => {
    // Prepare
    const settings = { ...SETTINGS, partialFillRatio: 0.5 };

    // Act
    const qty = nextFillQty(10, 10, settings, false);

    // Assess
    expect(qty).toBe(0);
  });
});

describe('commission', () => {
  it('charges per share plus a percentage of notional', () => {
    // Prepare
    const settings = { ...SETTINGS, commissionPerShare: 0.005, commissionPercent: 0.1 };

    // Act
    const charged = commission(100, 50, settings);

    // Assess
    expect(charged).toBe(5.5);
  });

  it('charges at least the minimum', () => {
    // Prepare
    const settings = { ...SETTINGS, commissionPerShare: 0.005, minCommission: 1 };

    // Act
    const charged = commission(10, 50, settings);

    // Assess
    expect(charged).toBe(1);
  });

  it('is zero when nothing is configured', () => {
    // Prepare
    const settings = SETTINGS;

    // Act
    const charged = commission(10, 50, settings);

    // Assess
    expect(charged).toBe(0);
  });

  it('rounds to a hundredth of a cent', () => {
    // Prepare
    const settings = { ...SETTINGS, commissionPercent: 0.0333 };

    // Act
    const charged = commission(3, 33.33, settings);

    // Assess
    expect(charged).toBe(0.0333);
  });
});

describe('slip', () => {
  it('moves a buy price up and a sell price down by the basis points', () => {
    // Prepare
    const price = 250;

    // Act
    const slipped = [slip(price, 'buy', 4), slip(price, 'sell', 4)];

    // Assess
    expect(slipped).toEqual([250.1, 249.9]);
  });

  it('rounds to a hundredth of a cent', () => {
    // Prepare
    const price = 12.3456;

    // Act
    const slipped = slip(price, 'buy', 3);

    // Assess
    expect(slipped).toBe(12.3493);
  });

  it('leaves the price alone at zero basis points', () => {
    // Prepare
    const price = 0.1 + 0.2;

    // Act
    const slipped = slip(price, 'sell', 0);

    // Assess
    expect(slipped).toBe(0.3);
  });
});
