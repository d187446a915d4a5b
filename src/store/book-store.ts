/**
 * The book item: reads, reservations (one conditional UpdateItem that re-checks every limit) and
 * settlements (serialized by `fillsVersion`). See src/domain/book.ts for the invariants.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Book, TradingState } from '../domain/book.ts';
import { emptyBook } from '../domain/book.ts';
import type { Reservation } from '../domain/risk.ts';
import type { Settlement } from '../domain/settlement.ts';
import { isConditionFailed, keys, type TableRef } from './table.ts';

const PositionItem = z.object({
  symbol: z.string(),
  qty: z.number(),
  avgPrice: z.number(),
  realizedPnl: z.number(),
  commissions: z.number(),
  lastPrice: z.number().optional(),
  updatedAt: z.string(),
  applied: z
    .record(z.string(), z.object({ fillIds: z.array(z.string()), released: z.boolean(), at: z.string() }))
    .default({}),
});

const BookItem = z.looseObject({
  accountId: z.string(),
  tradingState: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  openSymbols: z.set(z.string()).optional(),
  exposure: z.number().default(0),
  pnlDay: z.string().optional(),
  dayRealizedPnl: z.number().default(0),
  fillsVersion: z.number().default(0),
  updatedAt: z.string(),
});

/** Attribute names of a symbol's parts of the book. */
const symbolAttr = {
  position: (symbol: string) => `p#${symbol}`,
  committed: (symbol: string) => `c#${symbol}`,
  reducing: (symbol: string) => `r#${symbol}`,
};

/** Reads and writes one account's book. */
export class BookStore {
  constructor(
    private readonly table: TableRef,
    private readonly accountId: string,
  ) {}

  /** Creates the book if it does not exist yet. */
  async ensure(tradingState: TradingState, now: Date): Promise<void> {
    const book = emptyBook(this.accountId, tradingState, now.toISOString());
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.book(this.accountId),
            accountId: book.accountId,
            tradingState: book.tradingState,
            exposure: 0,
            dayRealizedPnl: 0,
            fillsVersion: 0,
            updatedAt: book.updatedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** The book as it is now (strongly consistent read). */
  async get(): Promise<Book> {
    const result = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.book(this.accountId),
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return emptyBook(this.accountId, 'ACTIVE', new Date(0).toISOString());
    return parseBook(result.Item);
  }

  /** Writes a reservation if its conditions still hold; false when they do not. */
  async reserve(reservation: Reservation, now: Date): Promise<boolean> {
    const expression = reservationExpression(reservation, now);
    try {
      await this.table.doc.send(
        new UpdateCommand({ TableName: this.table.tableName, Key: keys.book(this.accountId), ...expression }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Writes a settlement planned against `fillsVersion`; false when the book moved on meanwhile. */
  async settle(
    settlement: Settlement,
    fillsVersion: number,
    reducingBefore: number,
    now: Date,
  ): Promise<boolean> {
    const { symbol } = settlement;
    const names: Record<string, string> = {
      '#p': symbolAttr.position(symbol),
      '#c': symbolAttr.committed(symbol),
      '#r': symbolAttr.reducing(symbol),
    };
    const values: Record<string, unknown> = {
      ':pos': { ...settlement.position, applied: settlement.applied },
      ':v0': fillsVersion,
      ':v1': fillsVersion + 1,
      ':day': settlement.pnlDay,
      ':pnl': settlement.dayRealizedPnl,
      ':now': now.toISOString(),
      ':dx': settlement.exposureDelta,
      ':dc': settlement.committedDelta,
      ':dr': settlement.reducingDelta,
    };
    const conditions = ['fillsVersion = :v0'];
    let update =
      'SET #p = :pos, fillsVersion = :v1, pnlDay = :day, dayRealizedPnl = :pnl, updatedAt = :now ' +
      'ADD exposure :dx, #c :dc, #r :dr';
    if (settlement.closesSymbol) {
      update += ' DELETE openSymbols :sym';
      values[':sym'] = new Set([symbol]);
      values[':c0'] = settlement.committedBefore;
      values[':r0'] = reducingBefore;
      conditions.push('(attribute_not_exists(#c) OR #c = :c0)', '(attribute_not_exists(#r) OR #r = :r0)');
    }
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.book(this.accountId),
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Switches the trading state. */
  async setTradingState(state: TradingState, now: Date): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.book(this.accountId),
        UpdateExpression: 'SET tradingState = :s, updatedAt = :now',
        ExpressionAttributeValues: { ':s': state, ':now': now.toISOString() },
      }),
    );
  }
}

/** The UpdateItem parts that write a reservation under its conditions. */
function reservationExpression(r: Reservation, now: Date) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': now.toISOString(), ':qty': r.qty };
  const conditions: string[] = [];
  const states = r.allowedStates.map((state, i) => {
    values[`:s${i}`] = state;
    return `:s${i}`;
  });
  conditions.push(`tradingState IN (${states.join(', ')})`);
  let update: string;
  if (r.effect === 'open') {
    names['#c'] = symbolAttr.committed(r.symbol);
    values[':symSet'] = new Set([r.symbol]);
    values[':notional'] = r.notional;
    update = 'SET updatedAt = :now ADD openSymbols :symSet, exposure :notional, #c :qty';
    if (r.maxCommittedBefore !== undefined) {
      values[':maxC'] = r.maxCommittedBefore;
      conditions.push('(attribute_not_exists(#c) OR #c <= :maxC)');
    }
    if (r.maxOpenPositions !== undefined) {
      values[':maxOpen'] = r.maxOpenPositions;
      values[':sym'] = r.symbol;
      conditions.push(
        '(attribute_not_exists(openSymbols) OR contains(openSymbols, :sym) OR size(openSymbols) < :maxOpen)',
      );
    }
    if (r.maxExposureBefore !== undefined) {
      values[':maxExp'] = r.maxExposureBefore;
      conditions.push('(attribute_not_exists(exposure) OR exposure <= :maxExp)');
    }
    if (r.minDayRealizedPnl !== undefined) {
      values[':today'] = r.today;
      values[':minPnl'] = r.minDayRealizedPnl;
      conditions.push('(attribute_not_exists(pnlDay) OR pnlDay <> :today OR dayRealizedPnl > :minPnl)');
    }
  } else {
    names['#r'] = symbolAttr.reducing(r.symbol);
    names['#p'] = symbolAttr.position(r.symbol);
    values[':held'] = r.heldQty ?? 0;
    values[':maxR'] = r.maxReducingBefore ?? 0;
    update = 'SET updatedAt = :now ADD #r :qty';
    conditions.push('#p.qty = :held', '(attribute_not_exists(#r) OR #r <= :maxR)');
  }
  return {
    UpdateExpression: update,
    ConditionExpression: conditions.join(' AND '),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/** Parses the book item, gathering the per-symbol attributes. */
export function parseBook(item: Record<string, unknown>): Book {
  const base = BookItem.parse(item);
  const symbols: Book['symbols'] = {};
  const part = (symbol: string) => {
    symbols[symbol] ??= {
      position: { symbol, qty: 0, avgPrice: 0, realizedPnl: 0, commissions: 0, updatedAt: base.updatedAt },
      committed: 0,
      reducing: 0,
      applied: {},
    };
    return symbols[symbol];
  };
  for (const [name, value] of Object.entries(item)) {
    const symbol = name.slice(2);
    if (name.startsWith('p#')) {
      const { applied, ...position } = PositionItem.parse(value);
      const entry = part(symbol);
      entry.position = position;
      entry.applied = applied;
    } else if (name.startsWith('c#')) part(symbol).committed = z.number().parse(value);
    else if (name.startsWith('r#')) part(symbol).reducing = z.number().parse(value);
  }
  return {
    accountId: base.accountId,
    tradingState: base.tradingState,
    openSymbols: [...(base.openSymbols ?? [])].sort(),
    exposure: base.exposure,
    pnlDay: base.pnlDay,
    dayRealizedPnl: base.dayRealizedPnl,
    symbols,
    fillsVersion: base.fillsVersion,
    updatedAt: base.updatedAt,
  };
}
