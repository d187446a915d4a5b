/**
 * What Schwab's Trader API answers, parsed with zod. Objects are loose (Schwab adds fields) and only
 * the fields the adapter reads are declared. Schwab writes times as `2024-05-23T13:36:02+0000`;
 * they are turned into ISO 8601 UTC here. Order ids are numbers at Schwab and strings here. Nested
 * orders (an OCO holder) may lack fields a placed order has, so only the id is required.
 */
import { z } from 'zod';

/** A Schwab timestamp, as ISO 8601 UTC. */
export const SchwabTime = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${value}` });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

const OrderIdValue = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

/** One execution of one leg: Schwab's fills. */
export const ExecutionLeg = z.looseObject({
  legId: z.number().optional(),
  quantity: z.number(),
  price: z.number(),
  time: SchwabTime,
});

/** One entry of an order's activity: executions (fills) and order actions. */
export const OrderActivity = z.looseObject({
  activityType: z.string().optional(),
  activityId: z.union([z.number(), z.string()]).optional(),
  executionType: z.string().optional(),
  quantity: z.number().optional(),
  executionLegs: z.array(ExecutionLeg).optional(),
});
/** One entry of an order's activity. */
export type OrderActivity = z.infer<typeof OrderActivity>;

/** One leg of an order: what is traded and which way. */
export const OrderLeg = z.looseObject({
  instruction: z.string(),
  quantity: z.number(),
  instrument: z.looseObject({ symbol: z.string(), assetType: z.string().optional() }),
});

/** Stands in for an entered time Schwab left out (an OCO holder may have none). */
const UNKNOWN_TIME = new Date(0).toISOString();

/** An order as Schwab reports it; bracket exits arrive nested in childOrderStrategies. */
export interface SchwabOrder {
  orderId: string;
  status: string;
  quantity: number;
  filledQuantity: number;
  enteredTime: string;
  closeTime?: string | undefined;
  statusDescription?: string | undefined;
  orderStrategyType?: string | undefined;
  orderLegCollection: Array<z.infer<typeof OrderLeg>>;
  orderActivityCollection: OrderActivity[];
  childOrderStrategies: SchwabOrder[];
}

/** An order as Schwab reports it. */
export const SchwabOrder: z.ZodType<SchwabOrder> = z.lazy(() =>
  z
    .looseObject({
      orderId: OrderIdValue,
      status: z.string().default('UNKNOWN'),
      quantity: z.number().default(0),
      filledQuantity: z.number().default(0),
      enteredTime: SchwabTime.optional(),
      closeTime: SchwabTime.optional(),
      statusDescription: z.string().optional(),
      orderStrategyType: z.string().optional(),
      orderLegCollection: z.array(OrderLeg).default([]),
      orderActivityCollection: z.array(OrderActivity).default([]),
      childOrderStrategies: z.array(SchwabOrder).default([]),
    })
    .transform(
      (order): SchwabOrder => ({
        orderId: order.orderId,
        status: order.status,
        quantity: order.quantity,
        filledQuantity: order.filledQuantity,
        enteredTime: order.enteredTime ?? UNKNOWN_TIME,
        closeTime: order.closeTime,
        statusDescription: order.statusDescription,
        orderStrategyType: order.orderStrategyType,
        orderLegCollection: order.orderLegCollection,
        orderActivityCollection: order.orderActivityCollection,
        childOrderStrategies: order.childOrderStrategies,
      }),
    ),
);

/** GET /accounts/{hash}/orders. */
export const SchwabOrderList = z.array(SchwabOrder);

/** GET /accounts/accountNumbers: each account's number and the hash the API wants instead. */
export const AccountNumbers = z.array(z.looseObject({ accountNumber: z.string(), hashValue: z.string() }));

/** One position of GET /accounts/{hash}?fields=positions. */
export const SchwabPosition = z.looseObject({
  longQuantity: z.number().default(0),
  shortQuantity: z.number().default(0),
  averagePrice: z.number().optional(),
  averageLongPrice: z.number().optional(),
  averageShortPrice: z.number().optional(),
  instrument: z.looseObject({ symbol: z.string(), assetType: z.string().optional() }),
});
/** One position. */
export type SchwabPosition = z.infer<typeof SchwabPosition>;

const Balances = z.looseObject({
  cashBalance: z.number().optional(),
  availableFunds: z.number().optional(),
  cashAvailableForTrading: z.number().optional(),
  buyingPower: z.number().optional(),
  liquidationValue: z.number().optional(),
  equity: z.number().optional(),
});

/** GET /accounts/{hash}[?fields=positions]. */
export const SchwabAccount = z.looseObject({
  securitiesAccount: z.looseObject({
    accountNumber: z.string().optional(),
    type: z.string().optional(),
    positions: z.array(SchwabPosition).default([]),
    initialBalances: Balances.optional(),
    currentBalances: Balances.optional(),
  }),
  aggregatedBalance: z
    .looseObject({ liquidationValue: z.number().optional(), currentLiquidationValue: z.number().optional() })
    .optional(),
});
/** A Schwab account with its balances and positions. */
export type SchwabAccount = z.infer<typeof SchwabAccount>;

/** Schwab's error body: `{ message, errors: [...] }`. */
export const SchwabErrorBody = z.looseObject({
  message: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});
