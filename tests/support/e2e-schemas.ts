/**
 * The shapes e2e tests read from the running server's answers: only the fields the tests look at,
 * everything else passes through.
 */
import { z } from 'zod';

/** A webhook answer. */
export const WebhookAnswer = z.looseObject({
  status: z.string(),
  alertId: z.string(),
  orderId: z.string().optional(),
  code: z.string().optional(),
});

/** GET /api/orders */
export const OrdersAnswer = z.object({
  orders: z.array(
    z.looseObject({ clientOrderId: z.string(), alertId: z.string(), symbol: z.string(), status: z.string() }),
  ),
});

/** GET /api/alerts */
export const AlertsAnswer = z.object({
  alerts: z.array(
    z.looseObject({
      alertId: z.string(),
      status: z.string(),
      httpStatus: z.number(),
      symbol: z.string().optional(),
      body: z.string().optional(),
    }),
  ),
});

/** GET /api/positions */
export const PositionsAnswer = z.object({
  positions: z.array(z.looseObject({ symbol: z.string(), qty: z.number(), side: z.string() })),
});

/** GET /api/account and POST /api/trading-state */
export const AccountAnswer = z.object({
  account: z.looseObject({ tradingState: z.enum(['ACTIVE', 'REDUCING', 'HALTED']) }),
});
