/**
 * What reconciliation keeps beside the book, in the account's partition:
 *
 *   pk               sk                              what
 *   ACCT#<account>   DRIFT                           the last position comparison, its policy and actions
 *   ACCT#<account>   EVENT#<at>#<kind>#<subject>     one thing reconciliation changed (adopted, halted)
 *
 * The DRIFT item only ever moves forward in time: a pass that finishes late never overwrites the
 * report of a pass that compared after it. Events are kept (they are rare and are the audit trail).
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  DRIFT_POLICIES,
  type DriftAction,
  type DriftDecision,
  type DriftPolicy,
} from '../domain/reconciliation.ts';
import * as z from '../zod.ts';
import { isConditionFailed, keys, type TableRef } from './table.ts';

/** An action of the drift policy and whether this pass carried it out. */
export type ReportedAction = DriftAction & { applied: boolean };

/** The last comparison of our positions with the broker's. */
export interface LastReconcile {
  at: string;
  policy: DriftPolicy;
  drift: DriftDecision['drift'];
  actions: ReportedAction[];
  deferred: DriftDecision['deferred'];
}

/** Something reconciliation changed on its own, for the audit trail. */
export type ReconcileEvent =
  | {
      kind: 'POSITION_ADOPTED';
      at: string;
      symbol: string;
      from: { qty: number; avgPrice: number };
      to: { qty: number; avgPrice: number };
    }
  | { kind: 'TRADING_HALTED'; at: string; symbols: string[] };

const Figures = z.object({ qty: z.number(), avgPrice: z.number() });
const Action = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ADOPT_POSITION'),
    symbol: z.string(),
    from: Figures,
    to: Figures,
    applied: z.boolean(),
  }),
  z.object({ kind: z.literal('HALT_TRADING'), symbols: z.array(z.string()), applied: z.boolean() }),
]);
const LastReconcileItem = z.object({
  at: z.string(),
  policy: z.enum(DRIFT_POLICIES),
  drift: z.array(z.object({ symbol: z.string(), ours: z.number(), broker: z.number() })),
  actions: z.array(Action),
  deferred: z.array(
    z.object({ symbol: z.string(), reason: z.enum(['UNSETTLED_ORDERS', 'PENDING_RESERVATION']) }),
  ),
});
const EventItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('POSITION_ADOPTED'),
    at: z.string(),
    symbol: z.string(),
    from: Figures,
    to: Figures,
  }),
  z.object({ kind: z.literal('TRADING_HALTED'), at: z.string(), symbols: z.array(z.string()) }),
]);

const DRIFT_SK = 'DRIFT';
const EVENT_PREFIX = 'EVENT#';

/** Reads and writes one account's reconcile records. */
export class ReconcileStore {
  constructor(
    private readonly table: TableRef,
    private readonly accountId: string,
  ) {}

  /** Stores `report` as the last comparison unless a newer one is already stored; false then. */
  async saveLast(report: LastReconcile): Promise<boolean> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { pk: keys.book(this.accountId).pk, sk: DRIFT_SK, ...report },
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': report.at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The last comparison stored, if any. */
  async last(): Promise<LastReconcile | undefined> {
    const result = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: keys.book(this.accountId).pk, sk: DRIFT_SK },
        ConsistentRead: true,
      }),
    );
    return result.Item ? LastReconcileItem.parse(result.Item) : undefined;
  }

  /** Records an event; recording the same event twice keeps one. */
  async record(event: ReconcileEvent): Promise<void> {
    const subject = event.kind === 'POSITION_ADOPTED' ? event.symbol : 'ACCOUNT';
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          pk: keys.book(this.accountId).pk,
          sk: `${EVENT_PREFIX}${event.at}#${event.kind}#${subject}`,
          ...event,
        },
      }),
    );
  }

  /** The newest events first. */
  async events(limit: number): Promise<ReconcileEvent[]> {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.book(this.accountId).pk, ':prefix': EVENT_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => EventItem.parse(item));
  }
}
