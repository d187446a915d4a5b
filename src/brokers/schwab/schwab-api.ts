/**
 * The Trader API endpoints the adapter uses, typed: account hash, orders (place, get, list, cancel)
 * and the account with its positions. Paths follow Schwab's Trader API v1; every account is
 * addressed by its hash (GET /accounts/accountNumbers), never by its number.
 *
 * Order lists take `fromEnteredTime` and `toEnteredTime` (both required by Schwab, ISO 8601) and
 * `maxResults`. Schwab has no cursor: a list as long as `maxResults` may have been cut, so the
 * range is split in two and each half listed again.
 */
import { BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { SchwabClient } from './schwab-client.ts';
import type { SchwabOrderRequest } from './schwab-mapping.ts';
import { AccountNumbers, SchwabAccount, SchwabOrder, SchwabOrderList } from './schwab-schemas.ts';

/** Which account to trade: its hash, else its number, else the only account the login reaches. */
export interface SchwabAccountChoice {
  accountHash?: string | undefined;
  accountNumber?: string | undefined;
}

/** Default `maxResults` of order lists (Schwab's own default). */
export const DEFAULT_MAX_RESULTS = 3000;
const SMALLEST_RANGE_MS = 1000;

/** Typed calls to one Schwab account. */
export class SchwabApi {
  private hash: Promise<string> | undefined;

  constructor(
    private readonly client: SchwabClient,
    private readonly account: SchwabAccountChoice,
    private readonly maxResults: number = DEFAULT_MAX_RESULTS,
  ) {}

  /** Places an order; its id, from the last segment of the Location header. */
  async placeOrder(request: SchwabOrderRequest, signal?: AbortSignal): Promise<string> {
    const hash = await this.accountHash();
    const answer = await this.client.send({
      method: 'POST',
      path: `/accounts/${hash}/orders`,
      body: request,
      signal,
    });
    const id = orderIdFromLocation(answer.location);
    if (id === undefined) {
      throw new BrokerUnavailableError(`Schwab took the order but its Location was ${answer.location}`, true);
    }
    return id;
  }

  /** One order, or undefined when Schwab does not know it. */
  async order(orderId: string, signal?: AbortSignal): Promise<SchwabOrder | undefined> {
    const hash = await this.accountHash();
    const path = `/accounts/${hash}/orders/${encodeURIComponent(orderId)}`;
    return this.client.get(path, SchwabOrder, { signal, notFoundIsAnswer: true });
  }

  /** Asks Schwab to cancel an order; false when Schwab does not know it. */
  async cancel(orderId: string): Promise<boolean> {
    const hash = await this.accountHash();
    const path = `/accounts/${hash}/orders/${encodeURIComponent(orderId)}`;
    const answer = await this.client.send({ method: 'DELETE', path, notFoundIsAnswer: true });
    return answer.status !== 404;
  }

  /** Every top-level order entered in [from, to], each once. */
  async orders(from: Date, to: Date, signal?: AbortSignal): Promise<SchwabOrder[]> {
    const hash = await this.accountHash();
    const page = await this.client.get(`/accounts/${hash}/orders`, SchwabOrderList, {
      signal,
      query: {
        fromEnteredTime: from.toISOString(),
        toEnteredTime: to.toISOString(),
        maxResults: String(this.maxResults),
      },
    });
    const orders = page ?? [];
    if (orders.length < this.maxResults || to.getTime() - from.getTime() <= SMALLEST_RANGE_MS) return orders;
    const middle = new Date(Math.floor((from.getTime() + to.getTime()) / 2));
    const earlier = await this.orders(from, middle, signal);
    const later = await this.orders(middle, to, signal);
    const byId = new Map<string, SchwabOrder>();
    for (const order of [...earlier, ...later]) byId.set(order.orderId, order);
    return [...byId.values()];
  }

  /** The account with balances, and positions when asked. */
  async details(withPositions: boolean): Promise<SchwabAccount> {
    const hash = await this.accountHash();
    const query: Record<string, string> = withPositions ? { fields: 'positions' } : {};
    return required(await this.client.get(`/accounts/${hash}`, SchwabAccount, { query }), 'account');
  }

  /** The account's hash: given, or looked up once. */
  accountHash(): Promise<string> {
    if (this.account.accountHash !== undefined) return Promise.resolve(this.account.accountHash);
    this.hash ??= this.resolveHash().catch((error: unknown) => {
      this.hash = undefined;
      throw error;
    });
    return this.hash;
  }

  private async resolveHash(): Promise<string> {
    const accounts = required(await this.client.get('/accounts/accountNumbers', AccountNumbers), 'accounts');
    const { accountNumber } = this.account;
    if (accountNumber !== undefined) {
      const found = accounts.find((account) => account.accountNumber === accountNumber);
      if (found) return found.hashValue;
      throw new BrokerRejectedError(
        'SCHWAB_ACCOUNT_NOT_FOUND',
        'the Schwab login does not reach that account',
      );
    }
    const [only, ...others] = accounts;
    if (only !== undefined && others.length === 0) return only.hashValue;
    throw new BrokerRejectedError(
      'SCHWAB_ACCOUNT_AMBIGUOUS',
      `the Schwab login reaches ${accounts.length} accounts: set the account number or hash`,
    );
  }
}

/** The order id in a Location header: its last path segment, digits only. */
export function orderIdFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  const path = location.split(/[?#]/)[0] ?? '';
  const last = path
    .split('/')
    .filter((segment) => segment !== '')
    .at(-1);
  return last !== undefined && /^\d+$/.test(last) ? last : undefined;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new BrokerUnavailableError(`Schwab answered without the ${what}`, false);
  return value;
}
