/**
 * Alert deliveries and their de-duplication.
 *
 * Every delivery is recorded with its decision, kept for `alerts.retentionDays`. De-duplication is
 * a claim item per body hash holding a log of the body's deliveries (src/domain/dedupe.ts): each
 * delivery appends itself with one UpdateItem and learns from the log it gets back whether it
 * claimed the body or is a duplicate, and of which delivery. A duplicate is therefore decided and
 * recorded by one write. Every other delivery also gets a record of its own
 * (ALERTS#<utc day> / <alertId>), as does a duplicate of an alert that went to another account or
 * to several. `list` shows the duplicates kept only in logs as records of their own.
 *
 * A log longer than `LOG_LIMIT` entries is compacted by the delivery that finds it so: its
 * duplicates are written as records, then every entry but the claim holder's is removed, on
 * condition that no other compaction came first.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ClaimEntry,
  type ClaimOutcome,
  claimOutcomes,
  compaction,
  outcomeOf,
  unrecordedDuplicates,
} from '../domain/dedupe.ts';
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

const Entry = z.object({
  id: z.string(),
  at: z.number(),
  ip: z.optional(z.string()),
  rel: z.optional(z.literal(true)),
  rec: z.optional(z.literal(true)),
});

/** A claim item: its log, and the claim of the version before logs (a PutItem of the holder). */
const ClaimItem = z.looseObject({
  log: z._default(z.array(Entry), []),
  gen: z._default(z.number(), 0),
  alertId: z.optional(z.string()),
  claimedAt: z.optional(z.string()),
});
type ClaimItem = z.infer<typeof ClaimItem>;

/** The log as read, with the older version's claim first when the item still carries one. */
function entriesOf(item: ClaimItem): { entries: ClaimEntry[]; offset: number } {
  if (item.alertId === undefined || item.claimedAt === undefined) return { entries: item.log, offset: 0 };
  return { entries: [{ id: item.alertId, at: Date.parse(item.claimedAt) }, ...item.log], offset: 1 };
}

/** Entries a log may hold before the delivery that finds it longer compacts it. */
export const LOG_LIMIT = 32;

/** The outcome of claiming a body. */
export type ClaimResult = { claimed: true } | { claimed: false; duplicateOf?: string | undefined };

/** The delivery that claims, as its log entry and any record of its duplicates will show it. */
export interface ClaimingDelivery {
  sourceIp?: string | undefined;
  /** True when the delivery writes its own record even as a duplicate (another or several accounts). */
  recordsItself: boolean;
  /** What a record of one of the body's duplicates shows besides its own fields. */
  described: Partial<AlertRecord>;
}

/** Reads and writes alert records and dedupe claims. */
export class AlertStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
    private readonly dedupeWindowSeconds = 300,
  ) {}

  /**
   * Appends the delivery to the log of `dedupeKey` and answers what it came to: the claim, or a
   * duplicate of the delivery holding it. The duplicate is recorded by the append itself.
   */
  async claim(
    dedupeKey: string,
    alertId: AlertId,
    now: Date,
    delivery: ClaimingDelivery = { recordsItself: true, described: {} },
  ): Promise<ClaimResult> {
    const entry: ClaimEntry = { id: alertId, at: now.getTime() };
    if (delivery.sourceIp !== undefined) entry.ip = delivery.sourceIp;
    if (delivery.recordsItself) entry.rec = true;
    const result = await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.dedupe(dedupeKey),
        UpdateExpression:
          'SET #log = list_append(if_not_exists(#log, :none), :entry), #gen = if_not_exists(#gen, :zero), expiresAt = :ttl',
        ExpressionAttributeNames: { '#log': 'log', '#gen': 'gen' },
        ExpressionAttributeValues: { ':none': [], ':entry': [entry], ':zero': 0, ':ttl': this.ttl(now) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = ClaimItem.parse(result.Attributes ?? {});
    const { entries, offset } = entriesOf(item);
    const outcome = outcomeOf(entries, alertId, this.windowMs);
    if (item.log.length > LOG_LIMIT) {
      await this.compact(dedupeKey, item, offset, delivery.described).catch(() => undefined);
    }
    if (outcome === undefined || outcome.claimed) return { claimed: true };
    return { claimed: false, duplicateOf: outcome.holder };
  }

  /** Gives a claim back (when a transient failure means TradingView should resend). */
  async release(dedupeKey: string, alertId: AlertId, now: Date): Promise<void> {
    const entry: ClaimEntry = { id: alertId, at: now.getTime(), rel: true };
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.dedupe(dedupeKey),
          UpdateExpression: 'SET #log = list_append(if_not_exists(#log, :none), :entry)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#log': 'log' },
          ExpressionAttributeValues: { ':none': [], ':entry': [entry] },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /**
   * Writes the log's unrecorded duplicates as records, then removes every entry but the claim
   * holder's, unless another compaction came first (`gen`). Entries appended meanwhile stay.
   */
  private async compact(
    dedupeKey: string,
    item: ClaimItem,
    offset: number,
    described: Partial<AlertRecord>,
  ): Promise<void> {
    const { entries } = entriesOf(item);
    const plan = compaction(entries, this.windowMs);
    const records = plan.archive.map((outcome) => duplicateRecord(outcome, dedupeKey, described));
    for (let start = 0; start < records.length; start += 25) {
      await this.writeAll(records.slice(start, start + 25));
    }
    const remove = plan.remove.map((index) => index - offset).filter((index) => index >= 0);
    const removeLegacy = offset > 0 && plan.remove.includes(0) ? ', alertId, claimedAt' : '';
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.dedupe(dedupeKey),
        UpdateExpression: `SET #gen = #gen + :one REMOVE ${remove.map((index) => `#log[${index}]`).join(', ')}${removeLegacy}`,
        ConditionExpression: '#gen = :gen',
        ExpressionAttributeNames: { '#log': 'log', '#gen': 'gen' },
        ExpressionAttributeValues: { ':gen': item.gen, ':one': 1 },
      }),
    );
  }

  /** Puts up to 25 records, retrying what DynamoDB left unprocessed; throws if some stay so. */
  private async writeAll(records: readonly AlertRecord[]): Promise<void> {
    let requests = records.map((record) => ({ PutRequest: { Item: this.itemOf(record) } }));
    for (let attempt = 0; attempt < 3 && requests.length > 0; attempt += 1) {
      const result = await this.table.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.table.tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[this.table.tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
    }
    if (requests.length > 0) throw new Error(`${requests.length} duplicate records left unwritten`);
  }

  /** Records one delivery and its decision. */
  async record(alert: AlertRecord): Promise<void> {
    await this.table.doc.send(new PutCommand({ TableName: this.table.tableName, Item: this.itemOf(alert) }));
  }

  private itemOf(alert: AlertRecord): Record<string, unknown> {
    return {
      ...keys.alert(alert.receivedAt.slice(0, 10), alert.alertId),
      ...alert,
      expiresAt: expiresAfterDays(new Date(alert.receivedAt), this.retentionDays),
    };
  }

  private get windowMs(): number {
    return this.dedupeWindowSeconds * 1000;
  }

  /** A claim item outlives the window and the records of its duplicates. */
  private ttl(now: Date): number {
    return Math.floor(now.getTime() / 1000) + Math.max(this.retentionDays * 86_400, this.dedupeWindowSeconds);
  }

  /**
   * The newest deliveries first, looking back day by day up to the retention period, with the
   * duplicates that only the logs of their bodies record.
   */
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
    const duplicates = await this.loggedDuplicates(alerts);
    if (duplicates.length === 0) return alerts;
    const byId = new Map<string, AlertRecord>();
    for (const alert of [...duplicates, ...alerts]) byId.set(alert.alertId, alert);
    return [...byId.values()].sort((a, b) => (a.alertId < b.alertId ? 1 : -1)).slice(0, limit);
  }

  /** The duplicates recorded only in the logs of the bodies of `alerts`, as records. */
  private async loggedDuplicates(alerts: readonly AlertRecord[]): Promise<AlertRecord[]> {
    const described = new Map<string, AlertRecord>();
    for (const alert of alerts) {
      if (alert.dedupeKey !== undefined && !described.has(alert.dedupeKey))
        described.set(alert.dedupeKey, alert);
    }
    const items = await this.claimItems([...described.keys()]);
    return items.flatMap(({ dedupeKey, item }) => {
      const outcomes = unrecordedDuplicates(claimOutcomes(entriesOf(item).entries, this.windowMs));
      const alert = described.get(dedupeKey);
      return alert === undefined ? [] : outcomes.map((outcome) => duplicateRecord(outcome, dedupeKey, alert));
    });
  }

  /** The claim items of `dedupeKeys`, 100 to a BatchGetItem. */
  private async claimItems(
    dedupeKeys: readonly string[],
  ): Promise<Array<{ dedupeKey: string; item: ClaimItem }>> {
    const found: Array<{ dedupeKey: string; item: ClaimItem }> = [];
    const batches: string[][] = [];
    for (let start = 0; start < dedupeKeys.length; start += 100)
      batches.push(dedupeKeys.slice(start, start + 100));
    await Promise.all(
      batches.map(async (batch) => {
        let wanted: Array<Record<string, unknown>> = batch.map((dedupeKey) => keys.dedupe(dedupeKey));
        for (let attempt = 0; attempt < 5 && wanted.length > 0; attempt += 1) {
          const result = await this.table.doc.send(
            new BatchGetCommand({ RequestItems: { [this.table.tableName]: { Keys: wanted } } }),
          );
          for (const raw of result.Responses?.[this.table.tableName] ?? []) {
            const dedupeKey = String(raw.pk).slice('DEDUPE#'.length);
            found.push({ dedupeKey, item: ClaimItem.parse(raw) });
          }
          wanted = result.UnprocessedKeys?.[this.table.tableName]?.Keys ?? [];
        }
      }),
    );
    return found;
  }
}

/** A duplicate kept in its body's log, as a record of its own; `described` is any delivery of the body. */
function duplicateRecord(
  outcome: ClaimOutcome,
  dedupeKey: string,
  described: Partial<AlertRecord>,
): AlertRecord {
  return {
    alertId: asAlertId(outcome.entry.id),
    receivedAt: new Date(outcome.entry.at).toISOString(),
    status: 'duplicate',
    httpStatus: 200,
    sourceIp: outcome.entry.ip,
    symbol: described.symbol,
    action: described.action,
    quantity: described.quantity,
    strategy: described.strategy,
    duplicateOf: outcome.holder,
    dedupeKey,
    body: described.body,
  };
}
