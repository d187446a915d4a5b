/**
 * Alert deliveries and their de-duplication.
 *
 * Every delivery gets its own record (ALERTS#<utc day> / <alertId>) with its decision, kept for
 * `alerts.retentionDays`. De-duplication is a separate claim item per body hash, written with one
 * conditional PutItem: the first delivery of a body claims it for the dedupe window; any delivery
 * of the same body inside the window finds the claim and is a duplicate. DynamoDB Local and AWS
 * return the claim's owner with the refusal (ReturnValuesOnConditionCheckFailure); dynalite does not,
 * so `duplicateOf` may be absent locally.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AlertId, asAlertId } from '../domain/ids.ts';
import * as z from '../zod.ts';
import { expiresAfterDays, isConditionFailed, keys, type TableRef } from './table.ts';

/** The decision taken for one delivery. */
export type AlertStatus =
  | 'accepted'
  | 'pending'
  | 'duplicate'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'denied'
  | 'rejected'
  | 'unavailable'
  | 'error';

/** One delivery as recorded. */
export interface AlertRecord {
  alertId: AlertId;
  receivedAt: string;
  status: AlertStatus;
  httpStatus: number;
  code?: string | undefined;
  message?: string | undefined;
  errors?: Array<{ field: string; message: string }> | undefined;
  sourceIp?: string | undefined;
  symbol?: string | undefined;
  action?: string | undefined;
  quantity?: number | undefined;
  strategy?: string | undefined;
  orderIds?: string[] | undefined;
  /** Things worth a look that did not stop the alert (a missed alert, for one). */
  warnings?: string[] | undefined;
  duplicateOf?: string | undefined;
  dedupeKey?: string | undefined;
  /** The body with every secret replaced, at most 4 KB. */
  body?: string | undefined;
  latencyMs?: number | undefined;
  /** Per account, when the alert went to an account other than the default or to several. */
  accounts?: AccountOutcome[] | undefined;
}

/** What one account made of an alert that fanned out. */
export interface AccountOutcome {
  accountId: string;
  status: AlertStatus;
  httpStatus: number;
  code?: string | undefined;
  message?: string | undefined;
  orderIds?: string[] | undefined;
}

const Status = z.enum([
  'accepted',
  'pending',
  'duplicate',
  'invalid',
  'unauthorized',
  'forbidden',
  'too_large',
  'denied',
  'rejected',
  'unavailable',
  'error',
]);

const AlertItem = z.object({
  alertId: z.pipe(z.string(), z.transform(asAlertId)),
  receivedAt: z.string(),
  status: Status,
  httpStatus: z.number(),
  code: z.optional(z.string()),
  message: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
  sourceIp: z.optional(z.string()),
  symbol: z.optional(z.string()),
  action: z.optional(z.string()),
  quantity: z.optional(z.number()),
  strategy: z.optional(z.string()),
  orderIds: z.optional(z.array(z.string())),
  warnings: z.optional(z.array(z.string())),
  duplicateOf: z.optional(z.string()),
  dedupeKey: z.optional(z.string()),
  body: z.optional(z.string()),
  latencyMs: z.optional(z.number()),
  accounts: z.optional(
    z.array(
      z.object({
        accountId: z.string(),
        status: Status,
        httpStatus: z.number(),
        code: z.optional(z.string()),
        message: z.optional(z.string()),
        orderIds: z.optional(z.array(z.string())),
      }),
    ),
  ),
});

/** The claim's owner as DynamoDB hands it back with a refused write (plain, or still marshalled). */
const ClaimOwner = z.object({
  alertId: z.union([
    z.string(),
    z.pipe(
      z.object({ S: z.string() }),
      z.transform((value) => value.S),
    ),
  ]),
});

/** The outcome of claiming a body. */
export type ClaimResult = { claimed: true } | { claimed: false; duplicateOf?: string | undefined };

/** Reads and writes alert records and dedupe claims. */
export class AlertStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  /** Claims `dedupeKey` for `alertId` for `windowSeconds`, unless another delivery holds it. */
  async claim(dedupeKey: string, alertId: AlertId, windowSeconds: number, now: Date): Promise<ClaimResult> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.dedupe(dedupeKey),
            alertId,
            claimedAt: now.toISOString(),
            expiresAt: nowSeconds + windowSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const owner = ownerOf(error);
      return { claimed: false, duplicateOf: owner };
    }
  }

  /** Gives a claim back (when a transient failure means TradingView should resend). */
  async release(dedupeKey: string, alertId: AlertId): Promise<void> {
    try {
      await this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.dedupe(dedupeKey),
          ConditionExpression: 'alertId = :id',
          ExpressionAttributeValues: { ':id': alertId },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** Records one delivery and its decision. */
  async record(alert: AlertRecord): Promise<void> {
    const receivedAt = new Date(alert.receivedAt);
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keys.alert(alert.receivedAt.slice(0, 10), alert.alertId),
          ...alert,
          expiresAt: expiresAfterDays(receivedAt, this.retentionDays),
        },
      }),
    );
  }

  /** The newest deliveries first, looking back day by day up to the retention period. */
  async list(limit: number, now: Date): Promise<AlertRecord[]> {
    const alerts: AlertRecord[] = [];
    const lookback = Math.min(this.retentionDays, 31);
    for (let daysAgo = 0; daysAgo <= lookback && alerts.length < limit; daysAgo += 1) {
      const day = new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
      const page = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.alert(day, '').pk },
          ScanIndexForward: false,
          Limit: limit - alerts.length,
        }),
      );
      alerts.push(...(page.Items ?? []).map((item) => AlertItem.parse(item)));
    }
    return alerts;
  }
}

function ownerOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('Item' in error)) return undefined;
  const item = ClaimOwner.safeParse(error.Item);
  return item.success ? item.data.alertId : undefined;
}
