/**
 * The book item: reads, reservations (one conditional UpdateItem that re-checks every limit) and
 * settlements (serialized by `fillsVersion`). See src/domain/book.ts for the invariants.
 */
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Book, BrokerAccountSnapshot, TradingState } from '../domain/book.ts';
import { emptyBook } from '../domain/book.ts';
import type { PositionAdoption, ReservationRepair } from '../domain/reconciliation.ts';
import type { Reservation } from '../domain/risk.ts';
import type { Settlement } from '../domain/settlement.ts';
import { ReconcileStore } from './reconcile-store.ts';
import { isConditionFailed, keys, type TableRef } from './table.ts';

const PositionItem = z.object({
  symbol: z.string(),
  qty: z.number(),
  avgPrice: z.number(),
  realizedPnl: z.number(),
  commissions: z.number(),
  lastPrice: z.number().optional(),
  openedOn: z.string().optional(),
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
  pendingNotional: z.number().default(0),
  pnlDay: z.string().optional(),
  dayRealizedPnl: z.number().default(0),
  broker: z
    .object({ equity: z.number(), cash: z.number(), buyingPower: z.number(), at: z.string() })
    .optional(),
  fillsVersion: z.number().default(0),
  updatedAt: z.string(),
});

/** Attribute names of the per-symbol and per-strategy parts of the book. */
const attr = {
  position: (symbol: string) => `p#${symbol}`,
  committed: (symbol: string) => `c#${symbol}`,
  reducing: (symbol: string) => `r#${symbol}`,
  lastAlert: (symbol: string) => `lt#${symbol}`,
  strategyExposure: (strategy: string) => `se#${strategy}`,
  cooldown: (strategy: string) => `cool#${strategy}`,
  rate: (bucket: string) => `rate#${bucket}`,
  dayTrades: (day: string) => `dt#${day}`,
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
            pendingNotional: 0,
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
      '#p': attr.position(symbol),
      '#c': attr.committed(symbol),
      '#r': attr.reducing(symbol),
    };
    const values: Record<string, unknown> = {
      ':pos': { ...settlement.position, applied: settlement.applied },
      ':v0': fillsVersion,
      ':v1': fillsVersion + 1,
      ':day': settlement.pnlDay,
      ':pnl': settlement.dayRealizedPnl,
      ':now': now.toISOString(),
      ':dx': settlement.exposureDelta,
      ':dp': settlement.pendingNotionalDelta,
      ':dc': settlement.committedDelta,
      ':dr': settlement.reducingDelta,
    };
    const conditions = ['fillsVersion = :v0'];
    const sets = [
      '#p = :pos',
      'fillsVersion = :v1',
      'pnlDay = :day',
      'dayRealizedPnl = :pnl',
      'updatedAt = :now',
    ];
    const adds = ['exposure :dx', 'pendingNotional :dp', '#c :dc', '#r :dr'];
    if (settlement.strategy !== undefined) {
      names['#se'] = attr.strategyExposure(settlement.strategy);
      values[':dse'] = settlement.strategyExposureDelta;
      adds.push('#se :dse');
      if (settlement.strategyLastFillAt !== undefined) {
        names['#cool'] = attr.cooldown(settlement.strategy);
        values[':cool'] = settlement.strategyLastFillAt;
        sets.push('#cool = :cool');
      }
    }
    const stale = [...settlement.staleRates.map(attr.rate), ...settlement.staleDayTrades.map(attr.dayTrades)];
    const removes = stale.map((name, i) => {
      names[`#old${i}`] = name;
      return `#old${i}`;
    });
    let update = `SET ${sets.join(', ')} ADD ${adds.join(', ')}`;
    if (removes.length > 0) update += ` REMOVE ${removes.join(', ')}`;
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

  /**
   * Switches the trading state. With `onlyFrom`, only when the state is one of those (so an automatic
   * switch never overrides a stricter state a person set); false when it was not switched.
   */
  async setTradingState(
    state: TradingState,
    now: Date,
    onlyFrom?: readonly TradingState[],
  ): Promise<boolean> {
    const from = (onlyFrom ?? []).map((value, i) => [`:f${i}`, value] as const);
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.book(this.accountId),
          UpdateExpression: 'SET tradingState = :s, updatedAt = :now',
          ConditionExpression:
            from.length > 0
              ? `tradingState IN (${from.map(([name]) => name).join(', ')})`
              : 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':s': state, ':now': now.toISOString(), ...Object.fromEntries(from) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Adopts the broker's position in one symbol, planned against `fillsVersion` and the symbol's
   * reservation counters as read; false when any of them moved on meanwhile (a fill was settled, or an
   * order reserved on the symbol), so adopting never races a fill being applied.
   */
  async adoptPosition(adoption: PositionAdoption, fillsVersion: number, now: Date): Promise<boolean> {
    const names: Record<string, string> = {
      '#p': attr.position(adoption.symbol),
      '#c': attr.committed(adoption.symbol),
      '#r': attr.reducing(adoption.symbol),
    };
    const values: Record<string, unknown> = {
      ':pos': { ...adoption.position, applied: adoption.applied },
      ':v0': fillsVersion,
      ':v1': fillsVersion + 1,
      ':now': now.toISOString(),
      ':dx': adoption.exposureDelta,
      ':dc': adoption.committedDelta,
      ':c0': adoption.committedBefore,
      ':r0': adoption.reducingBefore,
    };
    let update = 'SET #p = :pos, fillsVersion = :v1, updatedAt = :now ADD exposure :dx, #c :dc';
    if (adoption.opensSymbol || adoption.closesSymbol) values[':sym'] = new Set([adoption.symbol]);
    if (adoption.opensSymbol) update += ', openSymbols :sym';
    else if (adoption.closesSymbol) update += ' DELETE openSymbols :sym';
    return this.conditionalUpdate({
      UpdateExpression: update,
      ConditionExpression:
        'fillsVersion = :v0 AND (attribute_not_exists(#c) OR #c = :c0) AND (attribute_not_exists(#r) OR #r = :r0)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Resets reservation counters nothing holds any more, planned against the book as read: false when
   * it changed meanwhile (`fillsVersion`, `updatedAt`, or any counter the repair resets).
   */
  async repairReservations(
    repair: ReservationRepair,
    seen: { fillsVersion: number; updatedAt: string },
    now: Date,
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':v0': seen.fillsVersion,
      ':v1': seen.fillsVersion + 1,
      ':u0': seen.updatedAt,
      ':now': now.toISOString(),
    };
    const conditions = ['fillsVersion = :v0', 'updatedAt = :u0'];
    const sets = ['fillsVersion = :v1', 'updatedAt = :now'];
    let tail = '';
    repair.symbols.forEach((fix, i) => {
      names[`#c${i}`] = attr.committed(fix.symbol);
      names[`#r${i}`] = attr.reducing(fix.symbol);
      Object.assign(values, {
        [`:c${i}`]: fix.committed.to,
        [`:r${i}`]: fix.reducing.to,
        [`:cf${i}`]: fix.committed.from,
        [`:rf${i}`]: fix.reducing.from,
      });
      sets.push(`#c${i} = :c${i}`, `#r${i} = :r${i}`);
      conditions.push(
        `(attribute_not_exists(#c${i}) OR #c${i} = :cf${i})`,
        `(attribute_not_exists(#r${i}) OR #r${i} = :rf${i})`,
      );
    });
    if (repair.pendingNotional !== undefined) {
      values[':pf'] = repair.pendingNotional.from;
      values[':pt'] = repair.pendingNotional.to;
      values[':dx'] = repair.pendingNotional.exposureDelta;
      sets.push('pendingNotional = :pt');
      conditions.push('pendingNotional = :pf');
      tail += ' ADD exposure :dx';
    }
    if (repair.closes.length > 0) {
      values[':closes'] = new Set(repair.closes);
      tail += ' DELETE openSymbols :closes';
      // A symbol leaving openSymbols with its counters untouched must still have nothing committed.
      const fixed = new Set(repair.symbols.map((fix) => fix.symbol));
      repair.closes.forEach((symbol, i) => {
        if (fixed.has(symbol)) return;
        names[`#k${i}`] = attr.committed(symbol);
        values[':zero'] = 0;
        conditions.push(`(attribute_not_exists(#k${i}) OR #k${i} = :zero)`);
      });
    }
    return this.conditionalUpdate({
      UpdateExpression: `SET ${sets.join(', ')}${tail}`,
      ConditionExpression: conditions.join(' AND '),
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    });
  }

  /** The account's reconcile records (last drift report, events), kept in the book's partition. */
  reconcileRecords(): ReconcileStore {
    return new ReconcileStore(this.table, this.accountId);
  }

  private async conditionalUpdate(
    expression: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
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

  /** Stores the broker's account figures (equity, cash, buying power) as last seen. */
  async setBrokerSnapshot(snapshot: BrokerAccountSnapshot): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.book(this.accountId),
        UpdateExpression: 'SET broker = :b',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':b': snapshot },
      }),
    );
  }
}

/** The UpdateItem parts that write a reservation under its conditions. */
function reservationExpression(r: Reservation, now: Date) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': now.toISOString(), ':qty': r.qty };
  const conditions: string[] = [];
  const sets = ['updatedAt = :now'];
  const adds: string[] = [];
  const states = r.allowedStates.map((state, i) => {
    values[`:s${i}`] = state;
    return `:s${i}`;
  });
  conditions.push(`tradingState IN (${states.join(', ')})`);
  if (r.rates.length > 0) values[':one'] = 1;
  r.rates.forEach((rate, i) => {
    names[`#rate${i}`] = attr.rate(rate.bucket);
    values[`:rmax${i}`] = rate.max;
    adds.push(`#rate${i} :one`);
    conditions.push(`(attribute_not_exists(#rate${i}) OR #rate${i} < :rmax${i})`);
  });
  if (r.alertTime !== undefined) {
    names['#lt'] = attr.lastAlert(r.symbol);
    values[':at'] = r.alertTime;
    sets.push('#lt = :at');
    conditions.push('(attribute_not_exists(#lt) OR #lt <= :at)');
  }
  if (r.effect === 'open') {
    names['#c'] = attr.committed(r.symbol);
    values[':symSet'] = new Set([r.symbol]);
    values[':notional'] = r.notional;
    adds.push('openSymbols :symSet', 'exposure :notional', 'pendingNotional :notional', '#c :qty');
    if (r.strategy !== undefined) {
      names['#se'] = attr.strategyExposure(r.strategy);
      adds.push('#se :notional');
      if (r.maxStrategyExposureBefore !== undefined) {
        values[':maxSe'] = r.maxStrategyExposureBefore;
        conditions.push('(attribute_not_exists(#se) OR #se <= :maxSe)');
      }
      if (r.cooldownUntil !== undefined) {
        names['#cool'] = attr.cooldown(r.strategy);
        values[':coolUntil'] = r.cooldownUntil;
        conditions.push('(attribute_not_exists(#cool) OR #cool <= :coolUntil)');
      }
    }
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
    if (r.maxPendingNotionalBefore !== undefined) {
      values[':maxPending'] = r.maxPendingNotionalBefore;
      conditions.push('(attribute_not_exists(pendingNotional) OR pendingNotional <= :maxPending)');
    }
    if (r.minDayRealizedPnl !== undefined) {
      values[':today'] = r.today;
      values[':minPnl'] = r.minDayRealizedPnl;
      conditions.push('(attribute_not_exists(pnlDay) OR pnlDay <> :today OR dayRealizedPnl > :minPnl)');
    }
  } else {
    if (r.dayTrade !== undefined) {
      names['#dt'] = attr.dayTrades(r.dayTrade.day);
      values[':one'] = 1;
      adds.push('#dt :one');
      if (r.dayTrade.maxBefore !== undefined) {
        values[':dtMax'] = r.dayTrade.maxBefore;
        conditions.push('(attribute_not_exists(#dt) OR #dt < :dtMax)');
      }
    }
    names['#r'] = attr.reducing(r.symbol);
    names['#p'] = attr.position(r.symbol);
    values[':held'] = r.heldQty ?? 0;
    values[':maxR'] = r.maxReducingBefore ?? 0;
    adds.push('#r :qty');
    conditions.push('#p.qty = :held', '(attribute_not_exists(#r) OR #r <= :maxR)');
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
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
  const strategies: Book['strategies'] = {};
  const strategy = (name: string) => {
    strategies[name] ??= { exposure: 0 };
    return strategies[name];
  };
  const rates: Book['rates'] = {};
  const lastAlertAt: Book['lastAlertAt'] = {};
  const dayTrades: Book['dayTrades'] = {};
  for (const [name, value] of Object.entries(item)) {
    const hash = name.indexOf('#');
    if (hash < 0) continue;
    const prefix = name.slice(0, hash);
    const key = name.slice(hash + 1);
    if (prefix === 'p') {
      const { applied, ...position } = PositionItem.parse(value);
      const entry = part(key);
      entry.position = position;
      entry.applied = applied;
    } else if (prefix === 'c') part(key).committed = z.number().parse(value);
    else if (prefix === 'r') part(key).reducing = z.number().parse(value);
    else if (prefix === 'lt') lastAlertAt[key] = z.string().parse(value);
    else if (prefix === 'se') strategy(key).exposure = z.number().parse(value);
    else if (prefix === 'cool') strategy(key).lastFillAt = z.string().parse(value);
    else if (prefix === 'rate') rates[key] = z.number().parse(value);
    else if (prefix === 'dt') dayTrades[key] = z.number().parse(value);
  }
  return {
    accountId: base.accountId,
    tradingState: base.tradingState,
    openSymbols: [...(base.openSymbols ?? [])].sort(),
    exposure: base.exposure,
    pendingNotional: base.pendingNotional,
    pnlDay: base.pnlDay,
    dayRealizedPnl: base.dayRealizedPnl,
    symbols,
    strategies,
    rates,
    lastAlertAt,
    dayTrades,
    broker: base.broker,
    fillsVersion: base.fillsVersion,
    updatedAt: base.updatedAt,
  };
}
