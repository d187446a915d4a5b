/**
 * The Schwab adapter: our BrokerPort over Schwab's Trader API.
 *
 * Schwab has no client order id, so our records (SchwabOrderMemory) stand in for it:
 * - submitOrder first recalls the order: when we already learned its Schwab id (a resubmission),
 *   that order is returned and nothing is sent. The new order's id is the last segment of the
 *   Location header; the order is then read once for its report (ACCEPTED with the id when that
 *   read fails: Schwab took the order).
 * - getOrder reads the order by its Schwab id when we know it; otherwise it looks for the order
 *   among those entered around our submission (schwab-memory.ts), so an order whose answer was lost
 *   is found and never sent twice.
 *
 * The market clock comes from our own calendar (Schwab's market hours are another API product).
 */
import { brokerOrderId, type ClientOrderId } from '../../domain/ids.ts';
import { type MarketCalendar, marketClockAt, NYSE_CALENDAR } from '../../domain/market-hours.ts';
import {
  type FillReport,
  isTerminal,
  type OrderStatusReport,
  type PositionReport,
  type SubmitOrder,
} from '../../domain/order.ts';
import { BrokerError, BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { AccountReport, BrokerPort, MarketClock, OrderRef } from '../port.ts';
import { SchwabApi } from './schwab-api.ts';
import { SchwabAuth, type SchwabLogger } from './schwab-auth.ts';
import { SchwabClient } from './schwab-client.ts';
import { instructionFor, toSchwabOrder } from './schwab-mapping.ts';
import {
  DEFAULT_MATCH_WINDOW,
  type MatchWindow,
  matchLostOrder,
  matchRange,
  type RecalledOrder,
  type SchwabOrderMemory,
} from './schwab-memory.ts';
import {
  accountOf,
  fillsOf,
  flattenOrders,
  foreignClientOrderId,
  positionsOf,
  toReport,
} from './schwab-reports.ts';
import type { SchwabOrder } from './schwab-schemas.ts';
import type { SchwabTokenStore } from './schwab-token-store.ts';

/** Which Schwab app and account to use. */
export interface SchwabBrokerSettings {
  /** Default https://api.schwabapi.com. */
  baseUrl?: string | undefined;
  appKey: string;
  appSecret: string;
  /** The account's hash; else looked up once from /accounts/accountNumbers (by `accountNumber` if given). */
  accountHash?: string | undefined;
  accountNumber?: string | undefined;
  /** The app's registered callback URL (used by schwab:login). */
  callbackUrl: string;
}

/** Dependencies and tuning, all optional. */
export interface SchwabBrokerOptions {
  fetch?: typeof fetch | undefined;
  now?: (() => Date) | undefined;
  log?: SchwabLogger | undefined;
  /** Told the hours left when the refresh token has less than a day to live. */
  onRefreshTokenExpiring?: ((hoursLeft: number) => void | Promise<void>) | undefined;
  /** The longest one HTTP call may take (default 10 s). */
  timeoutMs?: number | undefined;
  /** How lost submissions are matched (default 5 s of skew, 2 minutes after). */
  matchWindow?: MatchWindow | undefined;
  /** `maxResults` of order lists (default 3000). */
  maxResults?: number | undefined;
  /** How far back order lists reach for open orders and fills (default 59 days; Schwab allows 60). */
  lookbackMs?: number | undefined;
  /** The calendar of getClock (default NYSE). */
  calendar?: MarketCalendar | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Schwab, through its Trader API. */
export class SchwabBroker implements BrokerPort {
  readonly name = 'schwab';
  private readonly api: SchwabApi;
  private readonly now: () => Date;
  private readonly window: MatchWindow;
  private readonly lookbackMs: number;
  private readonly calendar: MarketCalendar;

  constructor(
    settings: SchwabBrokerSettings,
    tokens: SchwabTokenStore,
    private readonly memory: SchwabOrderMemory,
    options: SchwabBrokerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    const auth = new SchwabAuth(settings, tokens, { ...options, now: this.now });
    const client = new SchwabClient(auth, { ...options, baseUrl: settings.baseUrl, now: this.now });
    this.api = new SchwabApi(client, settings, options.maxResults);
    this.window = options.matchWindow ?? DEFAULT_MATCH_WINDOW;
    this.lookbackMs = options.lookbackMs ?? 59 * DAY_MS;
    this.calendar = options.calendar ?? NYSE_CALENDAR;
  }

  async submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    const recalled = await this.recall(order.clientOrderId);
    if (recalled?.brokerOrderId !== undefined) {
      const existing = await this.api.order(recalled.brokerOrderId, signal);
      if (existing) return toReport(existing, order.clientOrderId);
      const message = `Schwab does not know order ${recalled.brokerOrderId}, which we recorded for this id`;
      throw new BrokerRejectedError('SCHWAB_ORDER_UNKNOWN', message);
    }
    const mapped = toSchwabOrder(order, instructionFor(order.side, recalled?.effect));
    if (!mapped.ok) throw new BrokerRejectedError(mapped.code, mapped.message);
    const orderId = await this.api.placeOrder(mapped.request, signal);
    try {
      const placed = await this.api.order(orderId, signal);
      if (placed) return toReport(placed, order.clientOrderId);
    } catch {
      // Schwab took the order: its report can wait for the next look.
    }
    return accepted(order, orderId, this.now());
  }

  async getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    const recalled = await this.recall(clientOrderId);
    if (recalled === undefined) return undefined;
    if (recalled.brokerOrderId !== undefined) {
      const order = await this.api.order(recalled.brokerOrderId, signal);
      return order && toReport(order, clientOrderId);
    }
    const { from, to } = matchRange(recalled, this.window);
    const candidates = await this.api.orders(from, to, signal);
    const claims = await this.claims(new Date(from.getTime() - this.window.windowMs));
    const match = matchLostOrder(recalled, candidates, new Set(claims.keys()), this.window);
    return match && toReport(match, clientOrderId);
  }

  async getOrderByBrokerId(
    brokerOrderId: string,
    signal?: AbortSignal,
  ): Promise<OrderStatusReport | undefined> {
    const order = await this.api.order(brokerOrderId, signal);
    if (order === undefined) return undefined;
    const since = Date.parse(order.enteredTime) - this.window.windowMs - this.window.skewMs;
    const claims = await this.claims(new Date(since));
    return toReport(order, claims.get(order.orderId) ?? foreignClientOrderId(order.orderId));
  }

  async cancelOrder(ref: OrderRef): Promise<void> {
    let orderId: string | undefined = ref.brokerOrderId;
    if (orderId === undefined) {
      const found = await this.getOrder(ref.clientOrderId);
      if (found === undefined || isTerminal(found.status)) return;
      orderId = found.brokerOrderId;
    }
    if (orderId === undefined) return;
    try {
      await this.api.cancel(orderId);
    } catch (error) {
      // Schwab refuses to cancel an order that already ended: that is what we wanted.
      if (!(error instanceof BrokerRejectedError)) throw error;
      const current = await this.api.order(orderId);
      if (current === undefined || isTerminal(toReport(current, ref.clientOrderId).status)) return;
      throw error;
    }
  }

  async listOpenOrders(): Promise<OrderStatusReport[]> {
    const reports = await this.recentReports();
    return reports.filter((report) => !isTerminal(report.status));
  }

  async listFillsSince(since: Date): Promise<FillReport[]> {
    const sinceIso = since.toISOString();
    const orders = await this.recentOrders();
    const claims = await this.claims(new Date(this.now().getTime() - this.lookbackMs - this.window.windowMs));
    return orders
      .flatMap((order) => fillsOf(order, claims.get(order.orderId) ?? foreignClientOrderId(order.orderId)))
      .filter((fill) => fill.filledAt >= sinceIso)
      .sort((a, b) => a.filledAt.localeCompare(b.filledAt) || a.fillId.localeCompare(b.fillId));
  }

  async getPositions(): Promise<PositionReport[]> {
    return positionsOf(await this.api.details(true));
  }

  async getAccount(): Promise<AccountReport> {
    const account = accountOf(await this.api.details(false));
    if (account === undefined) throw new BrokerUnavailableError('Schwab answered without balances', false);
    return account;
  }

  async getClock(): Promise<MarketClock> {
    const now = this.now();
    const clock = marketClockAt(now, this.calendar);
    return {
      isOpen: clock.isOpen,
      timestamp: now.toISOString(),
      nextOpen: clock.nextOpen.toISOString(),
      nextClose: clock.nextClose.toISOString(),
    };
  }

  /** Every order (bracket exits included) entered within the lookback, with legs. */
  private async recentOrders(): Promise<SchwabOrder[]> {
    const now = this.now().getTime();
    const orders = await this.api.orders(new Date(now - this.lookbackMs), new Date(now + 60_000));
    return flattenOrders(orders).filter((order) => order.orderLegCollection.length > 0);
  }

  private async recentReports(): Promise<OrderStatusReport[]> {
    const orders = await this.recentOrders();
    const claims = await this.claims(new Date(this.now().getTime() - this.lookbackMs - this.window.windowMs));
    return orders.map((order) =>
      toReport(order, claims.get(order.orderId) ?? foreignClientOrderId(order.orderId)),
    );
  }

  private async recall(clientOrderId: ClientOrderId): Promise<RecalledOrder | undefined> {
    try {
      return await this.memory.recall(clientOrderId);
    } catch (error) {
      throw memoryFailed(error);
    }
  }

  private async claims(since: Date): Promise<ReadonlyMap<string, ClientOrderId>> {
    try {
      return await this.memory.claimedBrokerOrderIds(since);
    } catch (error) {
      throw memoryFailed(error);
    }
  }
}

/** The report of an order Schwab took but we could not read back yet. */
function accepted(order: SubmitOrder, orderId: string, now: Date): OrderStatusReport {
  return {
    clientOrderId: order.clientOrderId,
    brokerOrderId: brokerOrderId(orderId),
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    status: 'ACCEPTED',
    filledQty: 0,
    fills: [],
    updatedAt: now.toISOString(),
  };
}

function memoryFailed(error: unknown): BrokerError {
  if (error instanceof BrokerError) return error;
  return new BrokerUnavailableError('our records of Schwab orders could not be read', false, {
    cause: error,
  });
}
