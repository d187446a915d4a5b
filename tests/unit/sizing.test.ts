import { describe, expect, it } from 'vitest';
import type { Denial } from '../../src/domain/denial.ts';
import {
  type Holding,
  type OrderIntent,
  type SizingResult,
  type SizingSettings,
  sizeOrder,
} from '../../src/domain/sizing.ts';
import { anAlert } from './builders.ts';

const FLAT: Holding = { qty: 0, reducing: 0 };
const SETTINGS: SizingSettings = { mode: 'alert', allowFractional: false, allowShort: false };

/** The single order of a sizing that must pass with one leg. */
function intentOf(result: SizingResult): OrderIntent {
  if (!result.ok) return expect.unreachable(`sizeOrder denied: ${JSON.stringify(result.denial)}`);
  expect(result.intents).toHaveLength(1);
  const [intent] = result.intents;
  return intent ?? expect.unreachable('sizeOrder passed without an order');
}

/** The denial of a sizing that must be denied. */
function denialOf(result: SizingResult): Denial {
  if (result.ok) return expect.unreachable(`sizeOrder passed: ${JSON.stringify(result.intents)}`);
  return result.denial;
}

describe('sizeOrder buy', () => {
  it('opens a long for the alert quantity when flat', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 10, price: 100 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(intent).toEqual({
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      effect: 'open',
      type: 'market',
      timeInForce: 'day',
      limitPrice: undefined,
      stopPrice: undefined,
      trailPercent: undefined,
      referencePrice: 100,
    });
  });

  it('adds to a long as an opening order', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 5 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 10, reducing: 0 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'buy', qty: 5, effect: 'open' });
  });

  it('covers a short as a reducing order', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 5 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: -10, reducing: 0 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'buy', qty: 5, effect: 'reduce' });
  });

  it('clips a cover to the short so it never crosses zero', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 25 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: -10, reducing: 0 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'buy', qty: 10, effect: 'reduce' });
  });

  it('clips a cover to the part of the short no other order is already closing', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 25 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: -10, reducing: 7 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ qty: 3, effect: 'reduce' });
  });
});

describe('sizeOrder sell and short', () => {
  it('reduces a long', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', quantity: 4 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 10, reducing: 0 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'sell', qty: 4, effect: 'reduce' });
  });

  it('clips a sell to the long so it never opens a short', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, quantity: 15 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 10, reducing: 0 }, { ...SETTINGS, allowShort: true }));

    // Assess
    expect(intent).toMatchObject({ side: 'sell', qty: 10, effect: 'reduce' });
  });

  it('denies a sell while flat when the alert did not say short', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', quantity: 10 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, { ...SETTINGS, allowShort: true }));

    // Assess
    expect(denial.code).toBe('NO_POSITION');
  });

  it('denies a short when shorting is disabled', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, quantity: 10 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, { ...SETTINGS, allowShort: false }));

    // Assess
    expect(denial.code).toBe('SHORTING_DISABLED');
  });

  it('opens a short when shorting is enabled and the alert says short', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, quantity: 10 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, { ...SETTINGS, allowShort: true }));

    // Assess
    expect(intent).toMatchObject({ side: 'sell', qty: 10, effect: 'open' });
  });

  it('adds to a short as an opening order', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, quantity: 10 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: -5, reducing: 0 }, { ...SETTINGS, allowShort: true }));

    // Assess
    expect(intent).toMatchObject({ side: 'sell', qty: 10, effect: 'open' });
  });
});

describe('sizeOrder exit', () => {
  it('sells the whole long', () => {
    // Prepare
    const alert = anAlert({ action: 'exit' });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 12, reducing: 0 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'sell', qty: 12, effect: 'reduce' });
  });

  it('buys back the whole short', () => {
    // Prepare
    const alert = anAlert({ action: 'exit' });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: -7, reducing: 0 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'buy', qty: 7, effect: 'reduce' });
  });

  it('ignores the alert quantity and closes only what no other order is closing', () => {
    // Prepare
    const alert = anAlert({ action: 'exit', quantity: 100 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 12, reducing: 5 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ side: 'sell', qty: 7, effect: 'reduce' });
  });

  it('denies an exit while flat', () => {
    // Prepare
    const alert = anAlert({ action: 'exit' });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(denial.code).toBe('NO_POSITION');
  });

  it('denies an exit when orders in flight already close the whole position', () => {
    // Prepare
    const alert = anAlert({ action: 'exit' });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 10 }, SETTINGS));

    // Assess
    expect(denial).toMatchObject({ code: 'POSITION_ALREADY_CLOSING', current: 10 });
  });

  it('denies a sell when orders in flight already close the whole long', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', quantity: 3 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 10 }, SETTINGS));

    // Assess
    expect(denial.code).toBe('POSITION_ALREADY_CLOSING');
  });

  it('denies a cover when orders in flight already close the whole short', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 3 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: -6, reducing: 6 }, SETTINGS));

    // Assess
    expect(denial).toMatchObject({ code: 'POSITION_ALREADY_CLOSING', current: 6 });
  });
});

describe('sizeOrder quantity', () => {
  it('uses the default quantity when the alert has none', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: undefined });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, { ...SETTINGS, quantity: 3 }));

    // Assess
    expect(intent.qty).toBe(3);
  });

  it('prefers the alert quantity to the default', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 8 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, { ...SETTINGS, quantity: 3 }));

    // Assess
    expect(intent.qty).toBe(8);
  });

  it('denies a buy with no quantity and no default', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: undefined });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(denial.code).toBe('QUANTITY_REQUIRED');
  });

  it('denies a fractional quantity when fractional shares are not allowed', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 1.5 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, { ...SETTINGS, allowFractional: false }));

    // Assess
    expect(denial).toMatchObject({ code: 'FRACTIONAL_NOT_ALLOWED', requested: 1.5 });
  });

  it('accepts a fractional quantity when fractional shares are allowed', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 0.25 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, { ...SETTINGS, allowFractional: true }));

    // Assess
    expect(intent.qty).toBe(0.25);
  });
});

describe('sizeOrder prices', () => {
  it('takes the reference price from the limit price when the alert has no price', () => {
    // Prepare
    const alert = anAlert({ type: 'limit', quantity: 1, limitPrice: 99 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 0, reducing: 0, lastPrice: 97 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ referencePrice: 99, limitPrice: 99 });
  });

  it('takes the reference price from the last price seen when the alert has neither price', () => {
    // Prepare
    const alert = anAlert({ quantity: 1 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 0, reducing: 0, lastPrice: 97 }, SETTINGS));

    // Assess
    expect(intent.referencePrice).toBe(97);
  });

  it('prefers the alert price as the reference price', () => {
    // Prepare
    const alert = anAlert({ type: 'limit', quantity: 1, price: 101, limitPrice: 99 });

    // Act
    const intent = intentOf(sizeOrder(alert, { qty: 0, reducing: 0, lastPrice: 97 }, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ referencePrice: 101, limitPrice: 99 });
  });

  it('has no reference price when nothing is known', () => {
    // Prepare
    const alert = anAlert({ quantity: 1 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(intent.referencePrice).toBeUndefined();
  });

  it('takes the alert price as the limit of a limit order without a limit price', () => {
    // Prepare
    const alert = anAlert({ type: 'limit', quantity: 1, price: 101 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ type: 'limit', limitPrice: 101, referencePrice: 101 });
  });

  it('takes the alert price as the limit of a stop-limit order and keeps its stop', () => {
    // Prepare
    const alert = anAlert({ type: 'stop_limit', quantity: 1, price: 101, stopPrice: 100.5 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ type: 'stop_limit', limitPrice: 101, stopPrice: 100.5 });
  });

  it('sets no limit on a market order that carries a price', () => {
    // Prepare
    const alert = anAlert({ type: 'market', quantity: 1, price: 101 });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(intent.limitPrice).toBeUndefined();
  });

  it('passes the trailing percent and time in force through', () => {
    // Prepare
    const alert = anAlert({ type: 'trailing_stop', quantity: 1, trailPercent: 2, timeInForce: 'gtc' });

    // Act
    const intent = intentOf(sizeOrder(alert, FLAT, SETTINGS));

    // Assess
    expect(intent).toMatchObject({ type: 'trailing_stop', trailPercent: 2, timeInForce: 'gtc' });
  });
});
