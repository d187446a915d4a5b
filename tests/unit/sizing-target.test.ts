import { describe, expect, it } from 'vitest';
import { sizeOrder } from '../../src/domain/sizing.ts';
import { anAlert } from './builders.ts';
import { denialOf, FLAT, intentsOf, LONG_10, legsOf, settingsFor } from './sizing-results.ts';

describe('sizeOrder target position', () => {
  const target = settingsFor('targetPosition');
  const targetShort = settingsFor('targetPosition', { allowShort: true });

  it('opens the target from flat', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 10, price: 50 });

    // Act
    const intents = intentsOf(sizeOrder(alert, FLAT, target));

    // Assess
    expect(intents).toEqual([
      {
        symbol: 'AAPL',
        side: 'buy',
        qty: 10,
        effect: 'open',
        type: 'market',
        timeInForce: 'day',
        limitPrice: undefined,
        stopPrice: undefined,
        trailPercent: undefined,
        referencePrice: 50,
      },
    ]);
  });

  it('adds only the difference to a smaller long', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 15 });

    // Act
    const legs = legsOf(sizeOrder(alert, LONG_10, target));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 5, effect: 'open' }]);
  });

  it('reduces a long 10 to a target of 4 by selling 6', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 4 });

    // Act
    const legs = legsOf(sizeOrder(alert, LONG_10, target));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 6, effect: 'reduce' }]);
  });

  it('closes a long for a target of 0', () => {
    // Prepare
    const alert = anAlert({ action: 'exit', positionSize: 0 });

    // Act
    const legs = legsOf(sizeOrder(alert, LONG_10, target));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 10, effect: 'reduce' }]);
  });

  it('closes a long when the alert says the market position is flat', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', marketPosition: 'flat' });

    // Act
    const legs = legsOf(sizeOrder(alert, LONG_10, target));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 10, effect: 'reduce' }]);
  });

  it('reverses a long 10 to a short 5 in two legs: close, then open', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, positionSize: -5 });

    // Act
    const legs = legsOf(sizeOrder(alert, LONG_10, targetShort));

    // Assess
    expect(legs).toEqual([
      { side: 'sell', qty: 10, effect: 'reduce' },
      { side: 'sell', qty: 5, effect: 'open' },
    ]);
  });

  it('reverses a short to a long in two legs: cover, then buy', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 3 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: -10, reducing: 0 }, targetShort));

    // Assess
    expect(legs).toEqual([
      { side: 'buy', qty: 10, effect: 'reduce' },
      { side: 'buy', qty: 3, effect: 'open' },
    ]);
  });

  it('denies a short target when shorting is disabled', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, positionSize: -5 });

    // Act
    const denial = denialOf(sizeOrder(alert, LONG_10, target));

    // Assess
    expect(denial.code).toBe('SHORTING_DISABLED');
  });

  it('denies a repeated alert for the position already held', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 10 });

    // Act
    const denial = denialOf(sizeOrder(alert, LONG_10, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ALREADY_AT_TARGET', current: 10 });
  });

  it('denies a repeated alert when orders in flight already take the position to the target', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 4 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 6 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ALREADY_AT_TARGET', current: 4 });
  });

  it('reduces only what orders in flight do not already reduce', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 2 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 10, reducing: 6 }, target));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 2, effect: 'reduce' }]);
  });

  it('denies a reversal while orders in flight already close the whole position', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, positionSize: -5 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 10 }, targetShort));

    // Assess
    expect(denial.code).toBe('POSITION_ALREADY_CLOSING');
  });

  it('waits for an unfilled opening order while flat, as its direction is not known', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 10 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 0, reducing: 0, pendingOpen: 5 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ORDERS_IN_FLIGHT', current: 5 });
  });

  it('waits for an unfilled opening order while flat even for a flat target', () => {
    // Prepare
    const alert = anAlert({ action: 'exit', positionSize: 0 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 0, reducing: 0, pendingOpen: 5 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ORDERS_IN_FLIGHT', current: 5 });
  });

  it('opens from flat as usual when no opening order is in flight', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 10 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 0, reducing: 0, pendingOpen: 0 }, target));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 10, effect: 'open' }]);
  });

  it('denies a repeated alert when an unfilled opening order already takes a long to the target', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 15 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 0, pendingOpen: 5 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ALREADY_AT_TARGET', current: 15 });
  });

  it('adds only what the held long and its unfilled opening order leave to the target', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 20 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 10, reducing: 0, pendingOpen: 5 }, target));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 5, effect: 'open' }]);
  });

  it('counts an unfilled opening order of a short in the short direction', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, positionSize: -20 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: -10, reducing: 0, pendingOpen: 5 }, targetShort));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 5, effect: 'open' }]);
  });

  it('trades from where both opening and reducing orders in flight leave the position', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 12 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 3, pendingOpen: 5 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ALREADY_AT_TARGET', current: 12 });
  });

  it('reduces a long with an unfilled opening order down to the target', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 12 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 10, reducing: 0, pendingOpen: 5 }, target));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 3, effect: 'reduce' }]);
  });

  it('counts no more reducing than the position holds', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 4 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 10, reducing: 12 }, target));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 4, effect: 'open' }]);
  });

  it('waits for an unfilled opening order when the target needs more closed than the position holds', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 2 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 0, pendingOpen: 5 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ORDERS_IN_FLIGHT', current: 5, requested: 13 });
  });

  it('waits for an unfilled opening order rather than close more than is held for a flat target', () => {
    // Prepare
    const alert = anAlert({ action: 'exit', positionSize: 0 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 4, pendingOpen: 5 }, target));

    // Assess
    expect(denial).toMatchObject({ code: 'ORDERS_IN_FLIGHT', current: 5, requested: 11 });
  });

  it('waits for an unfilled opening order rather than reverse through more than is held', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, positionSize: -5 });

    // Act
    const denial = denialOf(sizeOrder(alert, { qty: 10, reducing: 0, pendingOpen: 5 }, targetShort));

    // Assess
    expect(denial).toMatchObject({ code: 'ORDERS_IN_FLIGHT', current: 5, requested: 15 });
  });

  it('takes a long target from market_position and the alert quantity without position_size', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', marketPosition: 'long', quantity: 8 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, target));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 8, effect: 'open' }]);
  });

  it('takes a short target from market_position and the configured quantity', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, marketPosition: 'short' });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, { ...targetShort, quantity: 4 }));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 4, effect: 'open' }]);
  });

  it('denies an alert with neither position_size nor market_position', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 5 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, target));

    // Assess
    expect(denial.code).toBe('QUANTITY_REQUIRED');
  });

  it('denies a market_position without any quantity', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', marketPosition: 'long' });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, target));

    // Assess
    expect(denial.code).toBe('QUANTITY_REQUIRED');
  });

  it('denies a fractional target when fractional shares are not allowed', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', positionSize: 2.5 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, target));

    // Assess
    expect(denial).toMatchObject({ code: 'FRACTIONAL_NOT_ALLOWED', requested: 2.5 });
  });
});
