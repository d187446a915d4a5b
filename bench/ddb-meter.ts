/**
 * Counts DynamoDB round trips and the capacity they consumed, on the very client the app is given.
 * One middleware on the document client's stack (shared with its raw client) asks every item
 * operation for ReturnConsumedCapacity=INDEXES and records, per call: the operation, which item it
 * touched (book, order, delivery, dedupe claim, paper broker), whose trip it is (ours or the paper
 * broker's, by key prefix), the read and write units DynamoDB reported, and whether a condition
 * refused it. DynamoDB Local reports units, index writes included; dynalite reports them too, but
 * without index writes, so the benchmark takes units from DynamoDB Local.
 * A refused conditional write carries no ConsumedCapacity in its error: AWS bills it (at least one
 * write unit), but it is not counted here, only flagged as refused.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Which item a trip touched. */
export type ItemKind =
  | 'book'
  | 'order'
  | 'order-index'
  | 'delivery'
  | 'dedupe'
  | 'drift'
  | 'paper-account'
  | 'paper-order'
  | 'paper-index'
  | 'other';

/** One round trip. */
export interface Trip {
  op: string;
  item: ItemKind;
  owner: 'ours' | 'paper';
  rcu: number;
  wcu: number;
  /** Of those units, the ones the open-orders index took. */
  indexUnits: number;
  /** Items the call read: a Query's or Scan's ScannedCount, 1 for a GetItem that found one. */
  itemsRead: number;
  refused: boolean;
  ms: number;
}

/** Totals over a set of trips. */
export interface TripTotals {
  trips: number;
  ours: number;
  paper: number;
  rcu: number;
  wcu: number;
  oursRcu: number;
  oursWcu: number;
  itemsRead: number;
  refused: number;
}

const ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/** The metering middleware and what it saw. */
export class DdbMeter {
  private trips: Trip[] = [];
  enabled = true;

  /** Adds the middleware to `doc`'s stack (the app's client: every store and the paper broker use it). */
  attach(doc: DynamoDBDocumentClient): void {
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const op = operationOf(context.commandName);
        if (!this.enabled || !ITEM_OPERATIONS.has(op)) return next(args);
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'INDEXES';
        const { item, owner } = classify(input);
        const started = performance.now();
        try {
          const result = await next(args);
          const output = result.output as Record<string, unknown>;
          const units = capacityOf(op, output.ConsumedCapacity);
          const itemsRead =
            typeof output.ScannedCount === 'number' ? output.ScannedCount : output.Item === undefined ? 0 : 1;
          const ms = performance.now() - started;
          this.trips.push({ op, item, owner, ...units, itemsRead, refused: false, ms });
          return result;
        } catch (error) {
          const refused = error instanceof Error && error.name === 'ConditionalCheckFailedException';
          const ms = performance.now() - started;
          this.trips.push({ op, item, owner, rcu: 0, wcu: 0, indexUnits: 0, itemsRead: 0, refused, ms });
          throw error;
        }
      },
      { step: 'initialize', name: 'benchDdbMeter', override: true },
    );
  }

  /** The trips recorded since the last `take`, forgotten here. */
  take(): Trip[] {
    const taken = this.trips;
    this.trips = [];
    return taken;
  }
}

/** Sums trips. */
export function totals(trips: readonly Trip[]): TripTotals {
  const ours = trips.filter((trip) => trip.owner === 'ours');
  const sum = (list: readonly Trip[], key: 'rcu' | 'wcu') =>
    list.reduce((total, trip) => total + trip[key], 0);
  return {
    trips: trips.length,
    ours: ours.length,
    paper: trips.length - ours.length,
    rcu: sum(trips, 'rcu'),
    wcu: sum(trips, 'wcu'),
    oursRcu: sum(ours, 'rcu'),
    oursWcu: sum(ours, 'wcu'),
    itemsRead: trips.reduce((total, trip) => total + trip.itemsRead, 0),
    refused: trips.filter((trip) => trip.refused).length,
  };
}

function operationOf(commandName: string | undefined): string {
  return (commandName ?? 'unknown').replace(/Command$/, '');
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Both engines answer `CapacityUnits` (table plus indexes) without the read/write split AWS gives
 * for some calls: the units of a write operation are write units, of any other read units.
 */
function capacityOf(op: string, consumed: unknown): { rcu: number; wcu: number; indexUnits: number } {
  const list = Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed];
  let units = 0;
  let indexUnits = 0;
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { CapacityUnits, GlobalSecondaryIndexes } = entry as Record<string, unknown>;
    if (typeof CapacityUnits === 'number') units += CapacityUnits;
    if (typeof GlobalSecondaryIndexes === 'object' && GlobalSecondaryIndexes !== null) {
      for (const index of Object.values(GlobalSecondaryIndexes)) {
        const indexed = (index as Record<string, unknown>).CapacityUnits;
        if (typeof indexed === 'number') indexUnits += indexed;
      }
    }
  }
  return WRITES.has(op) ? { rcu: 0, wcu: units, indexUnits } : { rcu: units, wcu: 0, indexUnits };
}

/** Plain or marshalled ({ S: "..." }) string attribute. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'S' in value) return String(value.S);
  return '';
}

function classify(input: Record<string, unknown>): { item: ItemKind; owner: 'ours' | 'paper' } {
  const record = (value: unknown) =>
    (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const key = record(input.Key ?? input.Item);
  const values = record(input.ExpressionAttributeValues);
  const pk = text(key.pk) || text(values[':pk']);
  const sk = text(key.sk);
  const index = typeof input.IndexName === 'string';
  const owner = pk.startsWith('PAPER') ? 'paper' : 'ours';
  if (pk.startsWith('PAPEROPEN#') || (owner === 'paper' && index)) return { item: 'paper-index', owner };
  if (pk.startsWith('PAPER#')) return { item: sk === 'ACCOUNT' ? 'paper-account' : 'paper-order', owner };
  if (pk.startsWith('OPEN#')) return { item: 'order-index', owner };
  if (pk.startsWith('DEDUPE#')) return { item: 'dedupe', owner };
  if (pk.startsWith('ALERTS#')) return { item: 'delivery', owner };
  if (pk.startsWith('ACCT#')) {
    if (sk === 'BOOK') return { item: 'book', owner };
    if (sk === 'DRIFT') return { item: 'drift', owner };
    return { item: 'order', owner };
  }
  return { item: 'other', owner };
}
