/**
 * The read API and the reconcile trigger, behind `Authorization: Bearer <API_TOKEN>`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { BrokerPort } from '../brokers/port.ts';
import { realizedOn, tradingDay } from '../domain/book.ts';
import { unrealizedPnl } from '../domain/position.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { BookStore } from '../store/book-store.ts';
import type { OrderStore } from '../store/order-store.ts';
import { secretsEqual } from './auth.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { errorFields } from './logger.ts';
import type { ReconcileReport } from './reconcile-pass.ts';

/** What the API needs. */
export interface ApiDeps {
  apiToken: string;
  accountId: string;
  timeZone: string;
  book: BookStore;
  orders: OrderStore;
  alerts: AlertStore;
  broker: BrokerPort;
  circuit: CircuitBreaker;
  now: () => Date;
  reconcile: () => Promise<ReconcileReport>;
}

const Limit = z.coerce.number().int().min(1).max(500).default(100);
const TradingStateBody = z.object({
  state: z.preprocess(
    (value) => (typeof value === 'string' ? value.toUpperCase() : value),
    z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  ),
});

/** The /api routes. */
export function apiRoutes(deps: ApiDeps): Hono {
  const api = new Hono();

  api.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (!secretsEqual(token, deps.apiToken)) {
      return c.json({ status: 'unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' }, 401);
    }
    await next();
  });

  const account = async () => {
    const book = await deps.book.get();
    const today = tradingDay(deps.now(), deps.timeZone);
    const broker = await deps.broker.getAccount().then(
      (report) => ({ ...report, error: undefined }),
      (error: unknown) => ({ error: String(errorFields(error).error) }),
    );
    return {
      accountId: deps.accountId,
      broker: deps.broker.name,
      circuit: deps.circuit.state(),
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
      lastReconcile: (await deps.book.reconcileRecords().last()) ?? null,
      updatedAt: book.updatedAt,
    };
  };

  api.get('/account', async (c) => c.json({ account: await account() }));

  api.post('/trading-state', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const parsed = TradingStateBody.safeParse(body);
    if (!parsed.success) {
      return c.json(
        { status: 'invalid', errors: [{ field: 'state', message: 'must be ACTIVE, REDUCING or HALTED' }] },
        400,
      );
    }
    await deps.book.setTradingState(parsed.data.state, deps.now());
    return c.json({ account: await account() });
  });

  api.get('/positions', async (c) => {
    const book = await deps.book.get();
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
    return c.json({ orders: await deps.orders.list(limit.data) });
  });

  api.get('/alerts', async (c) => {
    const limit = Limit.safeParse(c.req.query('limit'));
    if (!limit.success)
      return c.json({ status: 'invalid', errors: [{ field: 'limit', message: '1 to 500' }] }, 400);
    return c.json({ alerts: await deps.alerts.list(limit.data, deps.now()) });
  });

  api.post('/reconcile', async (c) => c.json({ report: await deps.reconcile() }));

  return api;
}
