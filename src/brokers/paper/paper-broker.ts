/**
 * The built-in paper broker. It keeps its own books (cash, positions, orders) in DynamoDB under
 * PAPER#<account>, apart from ours, so reconciliation compares two real ledgers and state survives
 * restarts. Like a real broker it is idempotent by client order id: submitting an id it has seen
 * returns that order instead of making a second one.
 *
 * A marketable order is claimed first (status SUBMITTED), then paid for: the buying-power check and
 * the cash and position change are one optimistic write of the account, so concurrent buys cannot
 * spend the same cash; then the order is written filled. Without transactions this is not atomic
 * across a crash: a process that dies between the account write and the order write leaves the
 * order SUBMITTED with its fill booked. That only happens to the simulation, never to our own books.
 *
 * Submissions may meet injected faults (./faults.ts): an outage, a rate limit, a rejection (recorded as
 * a REJECTED order), or a timeout after the order was made and booked. Lookups never meet faults, so
 * what the broker reports for an order is always the truth.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BrokerOrderId, ClientOrderId } from '../../domain/ids.ts';
import { CRYPTO_PATTERN, marketClockAt, NYSE_CALENDAR } from '../../domain/market-hours.ts';
import {
  type FillReport,
  isTerminal,
  type OrderStatusReport,
  type PositionReport,
  type SubmitOrder,
} from '../../domain/order.ts';
import { round, roundMoney } from '../../domain/position.ts';
import { dayOrderExpired, type SessionMarket } from '../../domain/reconciliation.ts';
import { isConditionFailed, keys, queryAll, type TableRef } from '../../store/table.ts';
import { BrokerRateLimitedError, BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { AccountReport, BrokerPort, MarketClock, OrderRef } from '../port.ts';
import { drawFault, NO_FAULTS, type PaperFaults } from './faults.ts';
import { PaperLedger } from './paper-ledger.ts';
import { clientOrderIdOf, newPaperOrder, PaperOrder, toReport } from './paper-records.ts';
import { commission, fillPrice, nextFillQty, type PaperSettings } from './simulate.ts';

/** Paper broker settings. */
export interface PaperBrokerSettings extends PaperSettings {
  startingCash: number;
  latencyMs: number;
  /** Faults submissions meet; none when absent. */
  faults?: PaperFaults;
}

/** Paper broker options. */
export interface PaperBrokerOptions {
  /** The source of fault draws (default Math.random); tests pass their own to be deterministic. */
  random?: () => number;
  /** The market whose regular close ends day orders (default: the NYSE calendar of the defaults). */
  market?: SessionMarket;
}

/** A simulated broker whose state lives in the pinebridge table. */
export class PaperBroker implements BrokerPort {
  readonly name = 'paper';
  private readonly random: () => number;
  private readonly market: SessionMarket;
  private readonly ledger: PaperLedger;

  constructor(
    private readonly table: TableRef,
    private readonly accountId: string,
    private readonly settings: PaperBrokerSettings,
    private readonly now: () => Date,
    options: PaperBrokerOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.market = options.market ?? PAPER_SESSIONS;
    this.ledger = new PaperLedger(table, accountId, settings.startingCash);
  }

  async submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    await this.delay(signal);
    const faults = this.settings.faults ?? NO_FAULTS;
    const fault = drawFault(faults, this.random);
    if (fault === 'error') {
      throw new BrokerUnavailableError('simulated outage (broker.paper.faults.errorRate)', false);
    }
    if (fault === 'rate_limit') {
      const message = 'simulated rate limit (broker.paper.faults.rateLimitRate)';
      throw new BrokerRateLimitedError(message, faults.retryAfterMs);
    }
    if (fault === 'reject') return this.rejectSimulated(order);
    const report = await this.place(order);
    if (fault === 'timeout_after_accept') await answerLost(signal);
    return report;
  }

  /** Creates and books an order, or returns the one already made under its client order id. */
  private async place(order: SubmitOrder): Promise<OrderStatusReport> {
    if (order.type === 'market' && order.referencePrice === undefined) {
      throw new BrokerRejectedError(
        'NO_PRICE',
        'the paper broker fills at the alert price: send price in the alert',
      );
    }
    const at = this.now().toISOString();
    const price = fillPrice(order, this.settings);
    const placed = newPaperOrder(order, price === undefined ? 'ACCEPTED' : 'SUBMITTED', at);
    // Claim the client order id first: a resubmission returns the order already made.
    if (!(await this.putNewOrder(placed))) return this.existing(order.clientOrderId);
    if (price === undefined) return toReport(placed);
    const filled = this.withFill({ ...placed, status: 'ACCEPTED' }, price, true, at);
    const refusal = await this.ledger.bookFills(filled.fills, { qty: order.qty, price });
    if (refusal !== undefined) {
      await this.writeOrder({ ...placed, status: 'REJECTED', reason: refusal }, placed.version);
      throw new BrokerRejectedError('INSUFFICIENT_BUYING_POWER', refusal);
    }
    await this.writeOrder(filled, placed.version);
    return toReport({ ...filled, version: placed.version + 1 });
  }

  /** Records `order` as REJECTED and refuses it, unless its client order id was seen before. */
  private async rejectSimulated(order: SubmitOrder): Promise<OrderStatusReport> {
    const reason = 'simulated rejection (broker.paper.faults.rejectRate)';
    const rejected = { ...newPaperOrder(order, 'REJECTED', this.now().toISOString()), reason };
    if (!(await this.putNewOrder(rejected))) return this.existing(order.clientOrderId);
    throw new BrokerRejectedError('SIMULATED_REJECT', reason);
  }

  private async existing(clientOrderId: ClientOrderId): Promise<OrderStatusReport> {
    const existing = await this.readOrder(clientOrderId);
    if (existing) return toReport(existing);
    throw new BrokerUnavailableError('paper order vanished while being created', true);
  }

  async getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    await this.delay(signal);
    const order = await this.readOrder(clientOrderId);
    if (!order) return undefined;
    return toReport(await this.advance(await this.expireAfterSession(order)));
  }

  async getOrderByBrokerId(
    brokerOrderId: BrokerOrderId,
    signal?: AbortSignal,
  ): Promise<OrderStatusReport | undefined> {
    const clientOrderId = clientOrderIdOf(brokerOrderId);
    return clientOrderId === undefined ? undefined : this.getOrder(clientOrderId, signal);
  }

  async cancelOrder(ref: OrderRef): Promise<void> {
    const order = await this.readOrder(ref.clientOrderId);
    if (!order || isTerminal(order.status)) return;
    await this.writeOrder(
      { ...order, status: 'CANCELED', updatedAt: this.now().toISOString() },
      order.version,
    );
  }

  async listOpenOrders(): Promise<OrderStatusReport[]> {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.paperOpenOrders(this.accountId) },
      }),
    );
    return (result.Items ?? []).map((item) => toReport(PaperOrder.parse(item)));
  }

  /** Reads every paper order of the account: the simulation keeps no fill index, so this grows with history. */
  async listFillsSince(since: Date): Promise<FillReport[]> {
    const sinceIso = since.toISOString();
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :order)',
      FilterExpression: 'updatedAt >= :since',
      ExpressionAttributeValues: {
        ':pk': keys.paperAccount(this.accountId).pk,
        ':order': 'ORDER#',
        ':since': sinceIso,
      },
    });
    return items
      .flatMap((item) => PaperOrder.parse(item).fills)
      .filter((fill) => fill.filledAt >= sinceIso)
      .sort((a, b) => a.filledAt.localeCompare(b.filledAt));
  }

  async getClock(): Promise<MarketClock> {
    const now = this.now();
    const clock = marketClockAt(now, this.market.calendar);
    return {
      isOpen: clock.isOpen,
      timestamp: now.toISOString(),
      nextOpen: clock.nextOpen.toISOString(),
      nextClose: clock.nextClose.toISOString(),
    };
  }

  async getPositions(): Promise<PositionReport[]> {
    const account = await this.ledger.read();
    return Object.entries(account.positions)
      .filter(([, position]) => position.qty !== 0)
      .map(([symbol, position]) => ({ symbol, qty: position.qty, avgPrice: position.avgPrice }));
  }

  async getAccount(): Promise<AccountReport> {
    const account = await this.ledger.read();
    const marketValue = Object.values(account.positions).reduce(
      (sum, position) => sum + position.qty * (position.lastPrice ?? position.avgPrice),
      0,
    );
    const equity = roundMoney(account.cash + marketValue);
    return { cash: roundMoney(account.cash), equity, buyingPower: roundMoney(account.cash), currency: 'USD' };
  }

  /** Fills what remains of a partially filled order: time has passed since the broker last looked. */
  private async advance(order: PaperOrder): Promise<PaperOrder> {
    if (order.status !== 'PARTIALLY_FILLED' || order.referencePrice === undefined) return order;
    const price = order.fills.at(-1)?.price ?? order.referencePrice;
    const next = this.withFill(order, price, false, this.now().toISOString());
    if (!(await this.writeOrder(next, order.version))) {
      const current = await this.readOrder(order.clientOrderId);
      return current ?? order;
    }
    await this.ledger.bookFills(next.fills.slice(order.fills.length));
    return next;
  }

  /**
   * Expires a day order still working after the regular close of its session, as a real broker does.
   * Its last update stands for when it was placed: a working order only changes by fills in its session.
   */
  private async expireAfterSession(order: PaperOrder): Promise<PaperOrder> {
    if (isTerminal(order.status)) return order;
    if (!dayOrderExpired(order, new Date(order.updatedAt), this.now(), this.market)) return order;
    const expired: PaperOrder = { ...order, status: 'EXPIRED', updatedAt: this.now().toISOString() };
    if (await this.writeOrder(expired, order.version)) return { ...expired, version: order.version + 1 };
    return (await this.readOrder(order.clientOrderId)) ?? order;
  }

  private withFill(order: PaperOrder, price: number, first: boolean, at: string): PaperOrder {
    const qty = nextFillQty(order.qty, order.filledQty, this.settings, first);
    if (qty <= 0) return order;
    const fill: FillReport = {
      fillId: `${order.clientOrderId}-f${order.fills.length + 1}`,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      qty,
      price,
      commission: commission(qty, price, this.settings),
      filledAt: at,
    };
    const filledQty = round(order.filledQty + qty);
    return {
      ...order,
      fills: [...order.fills, fill],
      filledQty,
      status: filledQty >= order.qty ? 'FILLED' : 'PARTIALLY_FILLED',
      updatedAt: at,
    };
  }

  private async readOrder(clientOrderId: string): Promise<PaperOrder | undefined> {
    const result = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.paperOrder(this.accountId, clientOrderId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? PaperOrder.parse(result.Item) : undefined;
  }

  private async putNewOrder(order: PaperOrder): Promise<boolean> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: this.orderItem(order),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  private async writeOrder(order: PaperOrder, expectedVersion: number): Promise<boolean> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: this.orderItem({ ...order, version: expectedVersion + 1 }),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  private orderItem(order: PaperOrder): Record<string, unknown> {
    const working = !isTerminal(order.status);
    return {
      ...keys.paperOrder(this.accountId, order.clientOrderId),
      ...order,
      ...(working ? { gsi1pk: keys.paperOpenOrders(this.accountId), gsi1sk: order.clientOrderId } : {}),
    };
  }

  private async delay(signal?: AbortSignal): Promise<void> {
    if (this.settings.latencyMs <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.settings.latencyMs);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new BrokerUnavailableError('paper broker call aborted', true));
        },
        { once: true },
      );
    });
  }
}

/**
 * The answer to a submission that went through is lost: wait until the caller gives up (its signal
 * aborts), then fail as a timeout does. Without a signal nobody would ever give up: fail at once.
 */
async function answerLost(signal: AbortSignal | undefined): Promise<never> {
  const lost = () => new BrokerUnavailableError('simulated timeout after accept (broker.paper.faults)', true);
  if (signal && !signal.aborted) {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  throw lost();
}

/** The paper market's sessions when none is given: the default NYSE calendar. */
const PAPER_SESSIONS: SessionMarket = { calendar: NYSE_CALENDAR, cryptoPattern: new RegExp(CRYPTO_PATTERN) };
