/**
 * The book item: reads, reservations (one conditional UpdateItem that re-checks every limit) and
 * settlements (serialized per symbol by the symbol's version; account-wide figures are added, not
 * set). Both writes answer the book as they left it, so the next step needs no read. See
 * src/domain/book.ts for the invariants.
 */
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Book, BrokerAccountSnapshot, TradingState } from '../domain/book.ts';
import { emptyBook } from '../domain/book.ts';
import type { PositionAdoption, ReservationRepair } from '../domain/reconciliation.ts';
import type { Reservation } from '../domain/risk.ts';
import type { Settlement } from '../domain/settlement.ts';
import { attr, parseBook } from './book-item.ts';
import { ReconcileStore } from './reconcile-store.ts';
import { reservationExpression, type SymbolSeen } from './reservation-expression.ts';
import { isConditionFailed, keys, type TableRef } from './table.ts';

const MAX_CAUGHT_UP = 5_000;

type BookUpdate = Pick<
  UpdateCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/** The condition that the symbol's position is at `version` (0: never written with a version). */
function samePositionVersion(version: number, values: Record<string, unknown>): string {
  if (version === 0) return 'attribute_not_exists(#p.ver)';
  values[':ver'] = version;
  return '#p.ver = :ver';
}

/** Reads and writes one account's book. */
export class BookStore {
  /** The book as this store last read or wrote it, and when (monotonic ms). */
  private latest: { book: Book; at: number } | undefined;
  /** Orders whose record this process wrote after its last settlement: their applied marks can go. */
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly table: TableRef,
    private readonly accountId: string,
  ) {}

  /**
   * The book as this store last read or wrote it, when that was at most `maxAgeMs` ago. Writes of other
   * processes are not in it: a caller sizes from it only under `reserve`'s `seen` conditions, and
   * re-reads before any decision the conditions cannot check (a denial, for one).
   */
  recent(maxAgeMs: number): Book | undefined {
    const latest = this.latest;
    return latest !== undefined && performance.now() - latest.at <= maxAgeMs ? latest.book : undefined;
  }

  /**
   * The orders whose applied marks are no longer needed, as far as this process knows, with when it
   * wrote their order record (epoch ms) after their last settlement. A settlement of their symbol
   * drops those marks once the write is `CAUGHT_UP_GRACE_MS` old (src/domain/settlement.ts).
   */
  caughtUp(): ReadonlyMap<string, number> {
    return this.recorded;
  }

  /** A settlement of `clientOrderId` is about to write its mark: the mark is needed until `recordWritten`. */
  recordPending(clientOrderId: string): void {
    this.recorded.delete(clientOrderId);
  }

  /** The order record of `clientOrderId` holds what its mark holds since `at` (epoch ms). */
  recordWritten(clientOrderId: string, at: number): void {
    // Forgetting only keeps marks longer (until the hour is up), so the map is simply bounded.
    if (this.recorded.size >= MAX_CAUGHT_UP) this.recorded.clear();
    this.recorded.set(clientOrderId, at);
  }

  /** Keeps `book` as the one this store saw last (for `recent`), and answers it. */
  protected remember(book: Book): Book {
    this.latest = { book, at: performance.now() };
    return book;
  }

  /** Creates the book if it does not exist yet. */
  async ensure(tradingState: TradingState, now: Date): Promise<void> {
    this.latest = undefined;
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
    return this.remember(parseBook(result.Item));
  }

  /**
   * Writes a reservation if its conditions still hold (and, with `seen`, the symbol's part of the book
   * is unchanged since it was sized): the book as it left it, or undefined when they do not.
   */
  async reserve(reservation: Reservation, now: Date, seen?: SymbolSeen): Promise<Book | undefined> {
    return this.conditionalUpdate(reservationExpression(reservation, now, seen));
  }

  /**
   * Writes a settlement planned against the symbol's version and the book's P&L day: the book as it
   * left it, or undefined when either moved on meanwhile. Exposure, counters and the day's realized P&L
   * are added, so settlements of other symbols never refuse this one.
   */
  async settle(settlement: Settlement, reducingBefore: number, now: Date): Promise<Book | undefined> {
    const { symbol } = settlement;
    const names: Record<string, string> = {
      '#p': attr.position(symbol),
      '#c': attr.committed(symbol),
      '#r': attr.reducing(symbol),
    };
    const values: Record<string, unknown> = {
      ':pos': { ...settlement.position, ver: settlement.version + 1, applied: settlement.applied },
      ':one': 1,
      ':day': settlement.pnlDay,
      ':pnl': settlement.sameDay ? settlement.realizedDelta : settlement.dayRealizedPnl,
      ':now': now.toISOString(),
      ':dx': settlement.exposureDelta,
      ':dp': settlement.pendingNotionalDelta,
      ':dc': settlement.committedDelta,
      ':dr': settlement.reducingDelta,
    };
    const conditions = [samePositionVersion(settlement.version, values)];
    const sets = ['#p = :pos', 'updatedAt = :now'];
    const adds = ['fillsVersion :one', 'exposure :dx', 'pendingNotional :dp', '#c :dc', '#r :dr'];
    if (settlement.sameDay) {
      conditions.push('pnlDay = :day');
      adds.push('dayRealizedPnl :pnl');
    } else {
      conditions.push('(attribute_not_exists(pnlDay) OR pnlDay <> :day)');
      sets.push('pnlDay = :day', 'dayRealizedPnl = :pnl');
    }
    if (settlement.strategy !== undefined) {
      names['#se'] = attr.strategyExposure(settlement.strategy);
      values[':dse'] = settlement.strategyExposureDelta;
      adds.push('#se :dse');
      if (settlement.strategyLastFillAt !== undefined) {
        // The cooldown only moves forward: a later fill of another symbol refuses this write, and the
        // retry keeps the later time.
        names['#cool'] = attr.cooldown(settlement.strategy);
        values[':cool'] = settlement.strategyLastFillAt;
        sets.push('#cool = :cool');
        conditions.push('(attribute_not_exists(#cool) OR #cool <= :cool)');
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
    return this.conditionalWrite({
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
      ':pos': { ...adoption.position, ver: adoption.version + 1, applied: adoption.applied },
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
    return this.conditionalWrite({
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
    return this.conditionalWrite({
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

  /** A conditional write that answers no book: true when it was made. What this store remembers is dropped. */
  private async conditionalWrite(expression: BookUpdate): Promise<boolean> {
    this.latest = undefined;
    return (await this.send(expression, 'NONE')) !== 'refused';
  }

  /** A conditional write that answers the book as it left it; undefined when the condition failed. */
  private async conditionalUpdate(expression: BookUpdate): Promise<Book | undefined> {
    const written = await this.send(expression, 'ALL_NEW');
    if (written === 'refused') return undefined;
    if (written === undefined) throw new Error('the book write answered no attributes');
    return this.remember(parseBook(written));
  }

  private async send(
    expression: BookUpdate,
    returns: 'ALL_NEW' | 'NONE',
  ): Promise<Record<string, unknown> | undefined | 'refused'> {
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.book(this.accountId),
          ...expression,
          ReturnValues: returns,
        }),
      );
      return result.Attributes;
    } catch (error) {
      if (isConditionFailed(error)) return 'refused';
      throw error;
    }
  }

  /** Stores the broker's account figures (equity, cash, buying power) as last seen. */
  async setBrokerSnapshot(snapshot: BrokerAccountSnapshot): Promise<void> {
    this.latest = undefined;
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
