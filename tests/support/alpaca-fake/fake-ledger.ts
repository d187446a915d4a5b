/**
 * The fake account's money and positions, moved only by fills. Quantities are signed (short is
 * negative); a fill in the position's direction moves the average price, a fill against it keeps
 * the average on the part it closes and opens the remainder the other way at the fill price.
 */
import { randomUUID } from 'node:crypto';

/** One position of the fake account. */
export interface FakePosition {
  symbol: string;
  assetId: string;
  qty: number;
  avgPrice: number;
}

/** Rounds to Alpaca's 9 decimals, so sums of decimals stay exact enough to compare. */
export function round9(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Cash and positions. */
export class FakeLedger {
  readonly positions = new Map<string, FakePosition>();
  private readonly assetIds = new Map<string, string>();

  constructor(public cash: number) {}

  /** Books one fill. */
  applyFill(symbol: string, side: 'buy' | 'sell', qty: number, price: number): void {
    const signed = side === 'buy' ? qty : -qty;
    this.cash = round9(this.cash - signed * price);
    const held = this.positions.get(symbol);
    const current = held?.qty ?? 0;
    const next = round9(current + signed);
    let avgPrice = held?.avgPrice ?? price;
    if (current === 0 || Math.sign(current) === Math.sign(signed)) {
      avgPrice = round9((Math.abs(current) * avgPrice + qty * price) / Math.abs(next));
    } else if (Math.sign(next) !== Math.sign(current) && next !== 0) {
      avgPrice = price;
    }
    if (next === 0) {
      this.positions.delete(symbol);
      return;
    }
    this.positions.set(symbol, { symbol, assetId: this.assetId(symbol), qty: next, avgPrice });
  }

  /** A stable asset id per symbol, as Alpaca's assets have. */
  assetId(symbol: string): string {
    let id = this.assetIds.get(symbol);
    if (id === undefined) {
      id = randomUUID();
      this.assetIds.set(symbol, id);
    }
    return id;
  }
}
