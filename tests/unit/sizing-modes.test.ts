import { describe, expect, it } from 'vitest';
import { sizeOrder } from '../../src/domain/sizing.ts';
import { anAlert } from './builders.ts';
import { denialOf, FLAT, LONG_10, legsOf, settingsFor, warningsOf } from './sizing-results.ts';

describe('sizeOrder fixed and alert modes', () => {
  it('buys the fixed quantity whatever quantity the alert carries', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 100 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settingsFor('fixed', { quantity: 7 })));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 7, effect: 'open' }]);
  });

  it('sells the fixed quantity from a long', () => {
    // Prepare
    const alert = anAlert({ action: 'sell' });

    // Act
    const legs = legsOf(sizeOrder(alert, LONG_10, settingsFor('fixed', { quantity: 7 })));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 7, effect: 'reduce' }]);
  });

  it('denies fixed sizing without a configured quantity', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 5 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settingsFor('fixed')));

    // Assess
    expect(denial.code).toBe('QUANTITY_REQUIRED');
  });

  it('takes the alert quantity over the configured default in alert mode', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 8 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settingsFor('alert', { quantity: 3 })));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 8, effect: 'open' }]);
  });

  it('falls back to the configured default in alert mode', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: undefined });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settingsFor('alert', { quantity: 3 })));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 3, effect: 'open' }]);
  });
});

describe('sizeOrder action modes with orders in flight', () => {
  it('opens from flat in alert mode whatever opening orders are in flight', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 3 });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 0, reducing: 0, pendingOpen: 5 }, settingsFor('alert')));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 3, effect: 'open' }]);
  });
});

describe('sizeOrder notional mode', () => {
  const settings = settingsFor('notional', { notional: 1000 });

  it('buys the whole shares the notional pays for at the alert price', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 30 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settings));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 33, effect: 'open' }]);
  });

  it('buys a fractional quantity when fractional shares are allowed', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 400 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, { ...settings, allowFractional: true }));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 2.5, effect: 'open' }]);
  });

  it('sizes at the last known price when the alert has none', () => {
    // Prepare
    const alert = anAlert({ action: 'buy' });

    // Act
    const legs = legsOf(sizeOrder(alert, { qty: 0, reducing: 0, lastPrice: 250 }, settings));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 4, effect: 'open' }]);
  });

  it('denies notional sizing when no price is known', () => {
    // Prepare
    const alert = anAlert({ action: 'buy' });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings));

    // Assess
    expect(denial.code).toBe('PRICE_UNKNOWN');
  });

  it('denies an order the notional cannot pay one whole share of', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 2000 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings));

    // Assess
    expect(denial).toMatchObject({ code: 'SIZE_TOO_SMALL', requested: 0.5 });
  });

  it('denies notional sizing without a configured notional', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 30 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settingsFor('notional')));

    // Assess
    expect(denial.code).toBe('QUANTITY_REQUIRED');
  });
});

describe('sizeOrder percent-of-equity mode', () => {
  const settings = settingsFor('percentEquity', { percentOfEquity: 10 });

  it('buys the percent of equity at the alert price', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 40 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settings, 50_000));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 125, effect: 'open' }]);
  });

  it('denies while the account equity is unknown', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 40 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings));

    // Assess
    expect(denial.code).toBe('EQUITY_UNKNOWN');
  });

  it('denies when the percent of equity buys less than one share', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 600 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings, 5000));

    // Assess
    expect(denial).toMatchObject({ code: 'SIZE_TOO_SMALL', requested: 0.833333333 });
  });
});

describe('sizeOrder risk-percent mode', () => {
  const settings = settingsFor('riskPercent', { riskPercent: 1 });

  it('divides the risked equity by the distance to the stop loss', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 100, stopLoss: 95 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settings, 50_000));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 100, effect: 'open' }]);
  });

  it('measures the distance to a stop above the price for a short', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', opensShort: true, price: 100, stopLoss: 104 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, { ...settings, allowShort: true }, 50_000));

    // Assess
    expect(legs).toEqual([{ side: 'sell', qty: 125, effect: 'open' }]);
  });

  it('uses the stop price when the alert has no stop loss', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', type: 'stop', price: 100, stopPrice: 98 });

    // Act
    const legs = legsOf(sizeOrder(alert, FLAT, settings, 50_000));

    // Assess
    expect(legs).toEqual([{ side: 'buy', qty: 250, effect: 'open' }]);
  });

  it('denies an alert without a stop', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 100 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings, 50_000));

    // Assess
    expect(denial.code).toBe('STOP_REQUIRED');
  });

  it('denies an alert whose stop is at the price', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 100, stopLoss: 100 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings, 50_000));

    // Assess
    expect(denial.code).toBe('STOP_REQUIRED');
  });

  it('denies while the account equity is unknown', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', price: 100, stopLoss: 95 });

    // Act
    const denial = denialOf(sizeOrder(alert, FLAT, settings));

    // Assess
    expect(denial.code).toBe('EQUITY_UNKNOWN');
  });
});

describe('sizeOrder missed-alert warnings', () => {
  it("warns when the alert's previous market position disagrees with ours", () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 0, prevMarketPosition: 'flat' });

    // Act
    const warnings = warningsOf(sizeOrder(alert, LONG_10, settingsFor('targetPosition')));

    // Assess
    expect(warnings).toEqual(['MISSED_ALERT: the strategy was flat before this alert, but we are long (10)']);
  });

  it('warns in the other sizing modes too', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 1, prevMarketPosition: 'long' });

    // Act
    const warnings = warningsOf(sizeOrder(alert, { qty: -3, reducing: 0 }, settingsFor('alert')));

    // Assess
    expect(warnings).toEqual([
      'MISSED_ALERT: the strategy was long before this alert, but we are short (-3)',
    ]);
  });

  it('does not warn when the previous market position agrees with ours', () => {
    // Prepare
    const alert = anAlert({ action: 'sell', positionSize: 0, prevMarketPosition: 'long' });

    // Act
    const warnings = warningsOf(sizeOrder(alert, LONG_10, settingsFor('targetPosition')));

    // Assess
    expect(warnings).toEqual([]);
  });

  it('does not warn when the alert carries no previous market position', () => {
    // Prepare
    const alert = anAlert({ action: 'buy', quantity: 1 });

    // Act
    const warnings = warningsOf(sizeOrder(alert, FLAT, settingsFor('alert')));

    // Assess
    expect(warnings).toEqual([]);
  });
});
