/**
 * The read API and the reconcile trigger, behind `Authorization: Bearer <API_TOKEN>`.
 */
import { Hono } from 'hono';
import { realizedOn, tradingDay } from '../domain/book.ts';
import { unrealizedPnl } from '../domain/position.ts';
import type { AlertStore } from '../store/alert-store.ts';
import * as z from '../zod.ts';
import type { AccountDeps, Routing } from './accounts.ts';
import { secretsEqual } from './auth.ts';
import type { AccountReconcileReport } from './build-deps.ts';
import { errorFields } from './logger.ts';
import type { ReconcileReport } from './reconcile-pass.ts';

/** What the API needs. */
export interface ApiDeps {
  apiToken: string;
  timeZone: string;
  alerts: AlertStore;
  routing: Routing;
  now: () => Date;
  /** One pass over one account (the default when not named). */
  reconcile: (accountId?: string) => Promise<ReconcileReport>;
  /** One pass over every account. */
  reconcileAll: () => Promise<AccountReconcileReport[]>;
}

const Limit = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100);
const TradingStateBody = z.object({
  state: z.preprocess(
    (value) => (typeof value === 'string' ? value.toUpperCase() : value),
    z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  ),
});

/**
 * The /api routes. Account routes take `?account=<id>` and default to the default account; an
 * unknown id is a 404 naming the ones there are.
 */
export function apiRoutes(deps: ApiDeps): Hono<{ Variables: { account: AccountDeps } }> {
  const api = new Hono<{ Variables: { account: AccountDeps } }>();

  api.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (!secretsEqual(token, deps.apiToken)) {
      return c.json({ status: 'unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' }, 401);
    }
    await next();
  });

  api.use('*', async (c, next) => {
    const wanted = c.req.query('account');
    const [fallback] = deps.routing.accounts;
    const found = wanted === undefined ? fallback : deps.routing.find(wanted);
    if (found === undefined) {
      const known = deps.routing.accounts.map((account) => account.accountId).join(', ');
      return c.json({ status: 'not_found', message: `no account "${wanted}"; accounts: ${known}` }, 404);
    }
    c.set('account', found);
    await next();
  });

  const account = async (target: AccountDeps) => {
    const book = await target.book.get();
    const today = tradingDay(deps.now(), deps.timeZone);
    const broker = await target.broker.getAccount().then(
      (report) => ({ ...report, error: undefined }),
      (error: unknown) => ({ error: String(errorFields(error).error) }),
    );
    return {
      accountId: target.accountId,
      broker: target.broker.name,
      circuit: target.circuit.state(),
      tradingState: book.tradingState,
      openPositions: book.openSymbols.length,
      openSymbols: book.openSymbols,
      exposure: book.exposure,
      pendingNotional: book.pendingNotional,
      strategyExposure: Object.fromEntries(
        Object.entries(book.strategies).map(([name, strategy]) => [name, strategy.exposure]),
      ),
      tradingDay: today,
      realizedPnlToday: realizedOn(book, today),
      dayTrades: book.dayTrades,
      brokerAccount: broker,
      brokerSnapshot: book.broker,
      lastReconcile: (await target.book.reconcileRecords().last()) ?? null,
      updatedAt: book.updatedAt,
    };
  };

  api.get('/account', async (c) => c.json({ account: await account(c.var.account) }));

  api.get('/accounts', async (c) =>
    c.json({
      accounts: deps.routing.accounts.map((target) => ({
        accountId: target.accountId,
        broker: target.broker.name,
        circuit: target.circuit.state(),
      })),
    }),
  );

  api.post('/trading-state', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const parsed = TradingStateBody.safeParse(body);
    if (!parsed.success) {
      return c.json(
        { status: 'invalid', errors: [{ field: 'state', message: 'must be ACTIVE, REDUCING or HALTED' }] },
        400,
      );
    }
    await c.var.account.book.setTradingState(parsed.data.state, deps.now());
    return c.json({ account: await account(c.var.account) });
  });

  api.get('/positions', async (c) => {
    const book = await c.var.account.book.get();
    const positions = Object.values(book.symbols)
      .filter((entry) => entry.position.qty !== 0)
      .map(({ position, committed, reducing }) => ({
        symbol: position.symbol,
        qty: position.qty,
        side: position.qty > 0 ? 'long' : 'short',
        avgPrice: position.avgPrice,
        lastPrice: position.lastPrice,
        unrealizedPnl:
          position.lastPrice === undefined ? undefined : unrealizedPnl(position, position.lastPrice),
        realizedPnl: position.realizedPnl,
        commissions: position.commissions,
        pendingOpenQty: Math.max(0, committed - Math.abs(position.qty)),
        pendingReduceQty: reducing,
        updatedAt: position.updatedAt,
      }));
    return c.json({ positions });
  });

  api.get('/orders', async (c) => {
    const limit = Limit.safeParse(c.req.query('limit'));
    if (!limit.success)
      return c.json({ status: 'invalid', errors: [{ field: 'limit', message: '1 to 500' }] }, 400);
    return c.json({ orders: await c.var.account.orders.list(limit.data) });
  });

  api.get('/alerts', async (c) => {
    const limit = Limit.safeParse(c.req.query('limit'));
    if (!limit.success)
      return c.json({ status: 'invalid', errors: [{ field: 'limit', message: '1 to 500' }] }, 400);
    return c.json({ alerts: await deps.alerts.list(limit.data, deps.now()) });
  });

  // With ?account= one account's pass; without, every account's, the default one's as `report`.
  api.post('/reconcile', async (c) => {
    if (c.req.query('account') !== undefined) {
      return c.json({ report: await deps.reconcile(c.var.account.accountId) });
    }
    const accounts = await deps.reconcileAll();
    const [first] = accounts;
    return c.json({ report: first?.ok ? first.report : null, accounts });
  });

  return api;
}
