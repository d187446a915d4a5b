/**
 * The book item: reads, reservations (one conditional UpdateItem that re-checks every limit) and
 * settlements (serialized by `fillsVersion`). See src/domain/book.ts for the invariants.
 */
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Book, BrokerAccountSnapshot, TradingState } from '../domain/book.ts';
import { emptyBook } from '../domain/book.ts';
import type { PositionAdoption, ReservationRepair } from '../domain/reconciliation.ts';
import type { Reservation } from '../domain/risk.ts';
import type { Settlement } from '../domain/settlement.ts';
import { attr, parseBook } from './book-item.ts';
import { ReconcileStore } from './reconcile-store.ts';
import { reservationExpression } from './reservation-expression.ts';
import { isConditionFailed, keys, type TableRef } from './table.ts';

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
    return this.conditionalUpdate(reservationExpression(reservation, now));
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
    return this.conditionalUpdate({
      UpdateExpression: update,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
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
    return this.conditionalUpdate({
      UpdateExpression: 'SET tradingState = :s, updatedAt = :now',
      ConditionExpression:
        from.length > 0
          ? `tradingState IN (${from.map(([name]) => name).join(', ')})`
          : 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':s': state, ':now': now.toISOString(), ...Object.fromEntries(from) },
    });
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
