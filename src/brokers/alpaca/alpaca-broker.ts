/**
 * The Alpaca adapter: BrokerPort over Alpaca's Trading API v2 (paper or live, chosen by baseUrl).
 *
 * Idempotency: every order carries our client order id, and Alpaca refuses a reused one with 422
 * "client_order_id must be unique" (even after the first was canceled); the adapter then looks the
 * first order up and returns it, so a resubmission never makes a second order.
 *
 * Fills come from FILL activities (fill id = activity id). The order and its activities are two
 * reads, so a report may carry fewer fills than Alpaca's filled_qty; it then has the status its
 * fills justify (see ./alpaca-mapping.ts), never a terminal one that would release a missing fill.
 *
 * Exits attached to an entry (take-profit, stop-loss) travel as Alpaca's bracket or OTO legs; the
 * legs are Alpaca's orders with Alpaca's client order ids, reported under the entry only.
 */
import { asClientOrderId, type BrokerOrderId, type ClientOrderId } from '../../domain/ids.ts';
import {
  type FillReport,
  isTerminal,
  type OrderStatusReport,
  type PositionReport,
  type SubmitOrder,
} from '../../domain/order.ts';
import { BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { AccountReport, BrokerPort, MarketClock, OrderRef } from '../port.ts';
import { AlpacaClient, type AlpacaSettings } from './alpaca-client.ts';
import { fillActivityPages, fillsOfOrders } from './alpaca-fills.ts';
import { fillOf, statusOf, toOrderRequest, toStatusReport } from './alpaca-mapping.ts';
import {
  AlpacaAccount,
  AlpacaClock,
  AlpacaOrder,
  AlpacaOrderList,
  AlpacaPositionList,
} from './alpaca-schemas.ts';

/** Optional collaborators: a fetch to call through, and the clock (for rate-limit waits). */
export interface AlpacaBrokerOptions {
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The most orders one page of GET /v2/orders holds. */
export const ORDER_PAGE_LIMIT = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A broker connection to Alpaca. */
export class AlpacaBroker implements BrokerPort {
  readonly name = 'alpaca';
  private readonly client: AlpacaClient;

  constructor(settings: AlpacaSettings, options: AlpacaBrokerOptions = {}) {
    this.client = new AlpacaClient(
      settings,
      options.fetch ?? globalThis.fetch,
      options.now ?? (() => new Date()),
    );
  }

  async submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    const request = toOrderRequest(order);
    if (!request.ok) throw new BrokerRejectedError('INVALID_ORDER', request.message);
    let placed: AlpacaOrder;
    try {
      placed = await this.client.call({
        method: 'POST',
        path: '/v2/orders',
        body: request.body,
        schema: AlpacaOrder,
        signal,
      });
    } catch (error) {
      if (error instanceof BrokerRejectedError && error.code === 'DUPLICATE_CLIENT_ORDER_ID') {
        return this.existing(order.clientOrderId, error, signal);
      }
      throw error;
    }
    try {
      return await this.report(placed, signal);
    } catch {
      // The order exists: a failure to read its fills must not look like a failed submission.
      // The report without fills has the status they justify, and a later look completes it.
      return toStatusReport(placed, []);
    }
  }

  /**
   * The order Alpaca already holds under a client order id it called a duplicate. The order
   * exists, so failing to read it is ambiguous whatever the failure was: nobody may resend it as new.
   */
  private async existing(
    clientOrderId: ClientOrderId,
    refusal: BrokerRejectedError,
    signal: AbortSignal | undefined,
  ): Promise<OrderStatusReport> {
    let found: OrderStatusReport | undefined;
    try {
      found = await this.getOrder(clientOrderId, signal);
    } catch (error) {
      const message = `alpaca holds ${clientOrderId} already, but reading it failed`;
      throw new BrokerUnavailableError(message, true, { cause: error });
    }
    if (found) return found;
    const message = `alpaca calls ${clientOrderId} a duplicate but does not find it`;
    throw new BrokerUnavailableError(message, true, { cause: refusal });
  }

  async getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    const order = await this.findByClientId(clientOrderId, signal);
    return order === undefined ? undefined : this.report(order, signal);
  }

  async getOrderByBrokerId(
    brokerOrderId: BrokerOrderId,
    signal?: AbortSignal,
  ): Promise<OrderStatusReport | undefined> {
    const order = await this.findById(brokerOrderId, signal);
    return order === undefined ? undefined : this.report(order, signal);
  }

  async cancelOrder(ref: OrderRef): Promise<void> {
    const known =
      ref.brokerOrderId !== undefined && UUID.test(ref.brokerOrderId) ? ref.brokerOrderId : undefined;
    const id = known ?? (await this.findByClientId(ref.clientOrderId))?.id;
    if (id === undefined) return;
    try {
      await this.client.send({ method: 'DELETE', path: `/v2/orders/${encodeURIComponent(id)}` });
    } catch (error) {
      if (!(error instanceof BrokerRejectedError)) throw error;
      if (error.code === 'NOT_FOUND') return;
      // 422 "not cancelable" is fine when the order has ended; a pending replace has not.
      const current = error.code === 'NOT_CANCELABLE' ? await this.findById(id) : undefined;
      if (current && isTerminal(statusOf(current.status, current.filled_qty, current.qty))) return;
      throw error;
    }
  }

  async listOpenOrders(): Promise<OrderStatusReport[]> {
    const orders: AlpacaOrder[] = [];
    let afterOrderId: string | undefined;
    for (;;) {
      // after_order_id pages by submission order without the ties an `after` timestamp would have.
      const page = await this.client.call({
        method: 'GET',
        path: '/v2/orders',
        query: {
          status: 'open',
          limit: ORDER_PAGE_LIMIT,
          direction: 'asc',
          nested: true,
          after_order_id: afterOrderId,
        },
        schema: AlpacaOrderList,
      });
      orders.push(...page);
      const last = page.at(-1)?.id;
      if (page.length < ORDER_PAGE_LIMIT || last === undefined || last === afterOrderId) break;
      afterOrderId = last;
    }
    const activities = await fillsOfOrders(this.client, orders);
    return orders.map((order) => toStatusReport(order, activities));
  }

  async listFillsSince(since: Date): Promise<FillReport[]> {
    const fills: FillReport[] = [];
    const clientIds = new Map<string, ClientOrderId>();
    // `after` is exclusive: start a millisecond early, then keep what is at or after `since`.
    for await (const page of fillActivityPages(this.client, new Date(since.getTime() - 1))) {
      for (const activity of page) {
        if (Date.parse(activity.transaction_time) < since.getTime()) continue;
        let clientOrderId = clientIds.get(activity.order_id);
        if (clientOrderId === undefined) {
          const order = await this.findById(activity.order_id);
          // An order Alpaca no longer finds still filled: keep the fill under its Alpaca id.
          clientOrderId = asClientOrderId(order?.client_order_id ?? activity.order_id);
          clientIds.set(activity.order_id, clientOrderId);
        }
        fills.push(fillOf(activity, clientOrderId));
      }
    }
    return fills.sort((a, b) => a.filledAt.localeCompare(b.filledAt));
  }

  async getPositions(): Promise<PositionReport[]> {
    const positions = await this.client.call({
      method: 'GET',
      path: '/v2/positions',
      schema: AlpacaPositionList,
    });
    return positions
      .map((position) => ({
        symbol: position.symbol,
        // Short is negative whether or not Alpaca signs the quantity itself.
        qty: position.side === 'short' ? -Math.abs(position.qty) : Math.abs(position.qty),
        avgPrice: position.avg_entry_price,
      }))
      .filter((position) => position.qty !== 0);
  }

  async getAccount(): Promise<AccountReport> {
    const account = await this.client.call({ method: 'GET', path: '/v2/account', schema: AlpacaAccount });
    return {
      cash: account.cash,
      equity: account.equity,
      buyingPower: account.buying_power,
      currency: account.currency,
      tradingBlocked:
        account.trading_blocked === true ||
        account.account_blocked === true ||
        account.trade_suspended_by_user === true,
    };
  }

  async getClock(): Promise<MarketClock> {
    const clock = await this.client.call({ method: 'GET', path: '/v2/clock', schema: AlpacaClock });
    return {
      isOpen: clock.is_open,
      timestamp: clock.timestamp,
      nextOpen: clock.next_open,
      nextClose: clock.next_close,
    };
  }

  private async report(order: AlpacaOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    return toStatusReport(order, await fillsOfOrders(this.client, [order], signal));
  }

  private findByClientId(
    clientOrderId: ClientOrderId,
    signal?: AbortSignal,
  ): Promise<AlpacaOrder | undefined> {
    return this.client.find({
      method: 'GET',
      path: '/v2/orders:by_client_order_id',
      query: { client_order_id: clientOrderId },
      schema: AlpacaOrder,
      signal,
    });
  }

  /** The order with Alpaca id `id`; undefined for an id that is not Alpaca's (not a uuid). */
  private async findById(id: string, signal?: AbortSignal): Promise<AlpacaOrder | undefined> {
    if (!UUID.test(id)) return undefined;
    return this.client.find({
      method: 'GET',
      path: `/v2/orders/${encodeURIComponent(id)}`,
      schema: AlpacaOrder,
      signal,
    });
  }
}
