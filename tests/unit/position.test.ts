import { describe, expect, it } from 'vitest';
import type { OrderSide } from '../../src/domain/order.ts';
import { applyFill, flatPosition, type Position, unrealizedPnl } from '../../src/domain/position.ts';
import { AT } from './builders.ts';

const LATER = '2026-03-10T15:00:00.000Z';

/** A position in AAPL of signed `qty` at `avgPrice`. */
function held(qty: number, avgPrice: number, realizedPnl = 0): Position {
  return { symbol: 'AAPL', qty, avgPrice, realizedPnl, commissions: 0, updatedAt: AT };
}

/** A fill at LATER without commission unless given. */
function fill(side: OrderSide, qty: number, price: number, commission = 0) {
  return { side, qty, price, commission, at: LATER };
}

describe('applyFill opening and adding', () => {
  it('opens a long from flat at the fill price', () => {
    // Prepare
    const position = flatPosition('AAPL', AT);

    // Act
    const effect = applyFill(position, fill('buy', 10, 100));

    // Assess
    expect(effect.position).toEqual({
      symbol: 'AAPL',
      qty: 10,
      avgPrice: 100,
      realizedPnl: 0,
      commissions: 0,
      lastPrice: 100,
      updatedAt: LATER,
    });
    expect(effect).toMatchObject({ closedQty: 0, openedQty: 10, closedCost: 0 });
    expect(effect.realized).toBeCloseTo(0);
  });

  it('opens a short from flat with a negative quantity', () => {
    // Prepare
    const position = flatPosition('AAPL', AT);

    // Act
    const effect = applyFill(position, fill('sell', 5, 200));

    // Assess
    expect(effect.position).toMatchObject({ qty: -5, avgPrice: 200 });
    expect(effect).toMatchObject({ closedQty: 0, openedQty: 5 });
  });

  it('moves the average price when adding to a long', () => {
    // Prepare
    const position = held(10, 100);

    // Act
    const effect = applyFill(position, fill('buy', 30, 120));

    // Assess
    expect(effect.position).toMatchObject({ qty: 40, avgPrice: 115 });
    expect(effect).toMatchObject({ closedQty: 0, openedQty: 30 });
    expect(effect.realized).toBeCloseTo(0);
  });

  it('moves the average price when adding to a short', () => {
    // Prepare
    const position = held(-10, 100);

    // Act
    const effect = applyFill(position, fill('sell', 10, 90));

    // Assess
    expect(effect.position).toMatchObject({ qty: -20, avgPrice: 95 });
    expect(effect.openedQty).toBe(10);
  });

  it('counts the commission of an opening fill as a realized loss', () => {
    // Prepare
    const position = flatPosition('AAPL', AT);

    // Act
    const effect = applyFill(position, fill('buy', 10, 100, 1.25));

    // Assess
    expect(effect.realized).toBe(-1.25);
    expect(effect.position).toMatchObject({ realizedPnl: -1.25, commissions: 1.25, avgPrice: 100 });
  });

  it('rounds the average price to six places', () => {
    // Prepare
    const position = held(1, 10);

    // Act
    const effect = applyFill(position, fill('buy', 2, 10.01));

    // Assess
    expect(effect.position.avgPrice).toBe(10.006667);
  });
});

describe('applyFill reducing and closing', () => {
  it('realizes profit on the closed part of a long at the average price and keeps the average', () => {
    // Prepare
    const position = held(10, 100);

    // Act
    const effect = applyFill(position, fill('sell', 4, 110));

    // Assess
    expect(effect.position).toMatchObject({ qty: 6, avgPrice: 100, realizedPnl: 40, lastPrice: 110 });
    expect(effect).toMatchObject({ realized: 40, closedQty: 4, openedQty: 0, closedCost: 400 });
  });

  it('realizes a loss when a long is sold below its average price', () => {
    // Prepare
    const position = held(10, 100);

    // Act
    const effect = applyFill(position, fill('sell', 10, 95));

    // Assess
    expect(effect.realized).toBe(-50);
  });

  it('closes a long to flat with a zero average price', () => {
    // Prepare
    const position = held(10, 100, 5);

    // Act
    const effect = applyFill(position, fill('sell', 10, 105, 2));

    // Assess
    expect(effect.position).toMatchObject({ qty: 0, avgPrice: 0, realizedPnl: 53, commissions: 2 });
    expect(effect).toMatchObject({ realized: 48, closedQty: 10, openedQty: 0, closedCost: 1000 });
  });

  it('realizes profit when a short is covered below its average price', () => {
    // Prepare
    const position = held(-10, 100);

    // Act
    const effect = applyFill(position, fill('buy', 10, 90));

    // Assess
    expect(effect.position).toMatchObject({ qty: 0, avgPrice: 0 });
    expect(effect).toMatchObject({ realized: 100, closedQty: 10, closedCost: 1000 });
  });

  it('realizes a loss when a short is covered above its average price, net of commission', () => {
    // Prepare
    const position = held(-10, 100);

    // Act
    const effect = applyFill(position, fill('buy', 5, 104, 1));

    // Assess
    expect(effect.position).toMatchObject({ qty: -5, avgPrice: 100, realizedPnl: -21 });
    expect(effect.realized).toBe(-21);
  });
});

describe('applyFill reversal through zero', () => {
  it('closes a long and opens a short with the remainder at the fill price', () => {
    // Prepare
    const position = held(10, 100);

    // Act
    const effect = applyFill(position, fill('sell', 15, 110, 1));

    // Assess
    expect(effect.position).toMatchObject({ qty: -5, avgPrice: 110, realizedPnl: 99, commissions: 1 });
    expect(effect).toMatchObject({ realized: 99, closedQty: 10, openedQty: 5, closedCost: 1000 });
  });

  it('closes a short and opens a long with the remainder at the fill price', () => {
    // Prepare
    const position = held(-4, 50);

    // Act
    const effect = applyFill(position, fill('buy', 10, 45));

    // Assess
    expect(effect.position).toMatchObject({ qty: 6, avgPrice: 45 });
    expect(effect).toMatchObject({ realized: 20, closedQty: 4, openedQty: 6, closedCost: 200 });
  });

  it('keeps fractional quantities free of binary noise', () => {
    // Prepare
    const position = held(0.3, 100);

    // Act
    const effect = applyFill(position, fill('sell', 0.1, 100));

    // Assess
    expect(effect.position.qty).toBe(0.2);
    expect(effect.openedQty).toBe(0);
  });
});

describe('unrealizedPnl', () => {
  it('is positive for a long when the price rises', () => {
    // Prepare
    const position = held(10, 100);

    // Act
    const pnl = unrealizedPnl(position, 112.5);

    // Assess
    expect(pnl).toBe(125);
  });

  it('is positive for a short when the price falls', () => {
    // Prepare
    const position = held(-10, 100);

    // Act
    const pnl = unrealizedPnl(position, 90);

    // Assess
    expect(pnl).toBe(100);
  });

  it('is zero when flat', () => {
    // Prepare
    const position = flatPosition('AAPL', AT);

    // Act
    const pnl = unrealizedPnl(position, 250);

    // Assess
    expect(pnl).toBe(0);
  });
});
