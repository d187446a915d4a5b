/**
 * What Schwab's Trader API answers, parsed with zod. Objects are loose (Schwab adds fields) and only
 * the fields the adapter reads are declared. Schwab writes times as `2024-05-23T13:36:02+0000`;
 * they are turned into ISO 8601 UTC here. Order ids are numbers at Schwab and strings here. Nested
 * orders (an OCO holder) may lack fields a placed order has, so only the id is required.
 */
import * as z from '../../zod.ts';

/** A Schwab timestamp, as ISO 8601 UTC. */
export const SchwabTime = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      ctx.issues.push({ code: 'custom', message: `not a time: ${value}`, input: value });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  }),
);

const OrderIdValue = z.pipe(z.union([z.int(), z.string().check(z.regex(/^\d+$/))]), z.transform(String));

/** One execution of one leg: Schwab's fills. */
export const ExecutionLeg = z.looseObject({
  legId: z.optional(z.number()),
  quantity: z.number(),
  price: z.number(),
  time: SchwabTime,
});

/** One entry of an order's activity: executions (fills) and order actions. */
export const OrderActivity = z.looseObject({
  activityType: z.optional(z.string()),
  activityId: z.optional(z.union([z.number(), z.string()])),
  executionType: z.optional(z.string()),
  quantity: z.optional(z.number()),
  executionLegs: z.optional(z.array(ExecutionLeg)),
});
/** One entry of an order's activity. */
export type OrderActivity = z.infer<typeof OrderActivity>;

/** One leg of an order: what is traded and which way. */
export const OrderLeg = z.looseObject({
  instruction: z.string(),
  quantity: z.number(),
  instrument: z.looseObject({ symbol: z.string(), assetType: z.optional(z.string()) }),
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
export const SchwabOrder: z.ZodMiniType<SchwabOrder> = z.lazy(() =>
  z.pipe(
    z.looseObject({
      orderId: OrderIdValue,
      status: z._default(z.string(), 'UNKNOWN'),
      quantity: z._default(z.number(), 0),
      filledQuantity: z._default(z.number(), 0),
      enteredTime: z.optional(SchwabTime),
      closeTime: z.optional(SchwabTime),
      statusDescription: z.optional(z.string()),
      orderStrategyType: z.optional(z.string()),
      orderLegCollection: z._default(z.array(OrderLeg), []),
      orderActivityCollection: z._default(z.array(OrderActivity), []),
      childOrderStrategies: z._default(z.array(SchwabOrder), []),
    }),
    z.transform(
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
  ),
);

/** GET /accounts/{hash}/orders. */
export const SchwabOrderList = z.array(SchwabOrder);

/** GET /accounts/accountNumbers: each account's number and the hash the API wants instead. */
export const AccountNumbers = z.array(z.looseObject({ accountNumber: z.string(), hashValue: z.string() }));

/** One position of GET /accounts/{hash}?fields=positions. */
export const SchwabPosition = z.looseObject({
  longQuantity: z._default(z.number(), 0),
  shortQuantity: z._default(z.number(), 0),
  averagePrice: z.optional(z.number()),
  averageLongPrice: z.optional(z.number()),
  averageShortPrice: z.optional(z.number()),
  instrument: z.looseObject({ symbol: z.string(), assetType: z.optional(z.string()) }),
});
/** One position. */
export type SchwabPosition = z.infer<typeof SchwabPosition>;

const Balances = z.looseObject({
  cashBalance: z.optional(z.number()),
  availableFunds: z.optional(z.number()),
  cashAvailableForTrading: z.optional(z.number()),
  buyingPower: z.optional(z.number()),
  liquidationValue: z.optional(z.number()),
  equity: z.optional(z.number()),
});

/** GET /accounts/{hash}[?fields=positions]. */
export const SchwabAccount = z.looseObject({
  securitiesAccount: z.looseObject({
    accountNumber: z.optional(z.string()),
    type: z.optional(z.string()),
    positions: z._default(z.array(SchwabPosition), []),
    initialBalances: z.optional(Balances),
    currentBalances: z.optional(Balances),
  }),
  aggregatedBalance: z.optional(
    z.looseObject({
      liquidationValue: z.optional(z.number()),
      currentLiquidationValue: z.optional(z.number()),
    }),
  ),
});
/** A Schwab account with its balances and positions. */
export type SchwabAccount = z.infer<typeof SchwabAccount>;

/** Schwab's error body: `{ message, errors: [...] }`. */
export const SchwabErrorBody = z.looseObject({
  message: z.optional(z.string()),
  errors: z.optional(z.array(z.unknown())),
});
