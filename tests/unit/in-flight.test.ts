import { describe, expect, it } from 'vitest';
import { hasUnsettled } from '../../src/app/in-flight.ts';
import { aBook } from './builders.ts';

describe('hasUnsettled', () => {
  it('is false for a symbol the book holds nothing reserved for, so the hot path makes no extra call', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100 } } });

    // Act / Assess
    expect(hasUnsettled(book, 'AAPL')).toBe(false);
    expect(hasUnsettled(book, 'MSFT')).toBe(false);
  });

  it('is true when committed quantity exceeds the position: an opening order is unfilled', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 0, avgPrice: 0, committed: 10 } } });

    // Act / Assess
    expect(hasUnsettled(book, 'AAPL')).toBe(true);
  });

  it('is true when a reducing order is unfilled', () => {
    // Prepare
    const book = aBook({ symbols: { AAPL: { qty: 10, avgPrice: 100, reducing: 10 } } });

    // Act / Assess
    expect(hasUnsettled(book, 'AAPL')).toBe(true);
  });
});
