/**
 * The body of POST /trader/v1/accounts/{accountHash}/orders as the fake accepts it, written from
 * Schwab's Trader API documentation (the Order request schema and its order samples), independently
 * of the adapter's mapping, and strict: an unknown or misspelt field is a 400, as a wrong field name
 * must fail a test rather than be ignored.
 *
 * Equity orders only: one leg, instructions BUY, SELL, SELL_SHORT, BUY_TO_COVER.
 */
import { z } from 'zod';

const Instrument = z.strictObject({ symbol: z.string().min(1), assetType: z.literal('EQUITY') });
const Leg = z.strictObject({
  instruction: z.enum(['BUY', 'SELL', 'SELL_SHORT', 'BUY_TO_COVER']),
  quantity: z.number().int().positive(),
  instrument: Instrument,
});
const PriceLink = z.enum(['MANUAL', 'BASE', 'TRIGGER', 'LAST', 'BID', 'ASK', 'ASK_BID', 'MARK', 'AVERAGE']);

/** An order with one leg, possibly triggering children. */
export interface SingleRequest {
  orderStrategyType: 'SINGLE' | 'TRIGGER';
  session: 'NORMAL' | 'AM' | 'PM' | 'SEAMLESS';
  duration: 'DAY' | 'GOOD_TILL_CANCEL' | 'FILL_OR_KILL' | 'IMMEDIATE_OR_CANCEL';
  orderType: 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT' | 'TRAILING_STOP';
  complexOrderStrategyType?: 'NONE' | undefined;
  price?: number | undefined;
  stopPrice?: number | undefined;
  stopPriceLinkBasis?: z.infer<typeof PriceLink> | undefined;
  stopPriceLinkType?: 'VALUE' | 'PERCENT' | 'TICK' | undefined;
  stopPriceOffset?: number | undefined;
  orderLegCollection: Array<z.infer<typeof Leg>>;
  childOrderStrategies?: OrderRequest[] | undefined;
}

/** Two orders, one cancelling the other. */
export interface OcoRequest {
  orderStrategyType: 'OCO';
  childOrderStrategies: SingleRequest[];
}

/** Any order request. */
export type OrderRequest = SingleRequest | OcoRequest;

const Single: z.ZodType<SingleRequest> = z.lazy(() =>
  z
    .strictObject({
      orderStrategyType: z.enum(['SINGLE', 'TRIGGER']),
      session: z.enum(['NORMAL', 'AM', 'PM', 'SEAMLESS']),
      duration: z.enum(['DAY', 'GOOD_TILL_CANCEL', 'FILL_OR_KILL', 'IMMEDIATE_OR_CANCEL']),
      orderType: z.enum(['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'TRAILING_STOP']),
      complexOrderStrategyType: z.literal('NONE').optional(),
      price: z.number().positive().optional(),
      stopPrice: z.number().positive().optional(),
      stopPriceLinkBasis: PriceLink.optional(),
      stopPriceLinkType: z.enum(['VALUE', 'PERCENT', 'TICK']).optional(),
      stopPriceOffset: z.number().positive().optional(),
      orderLegCollection: z.array(Leg).length(1),
      childOrderStrategies: z.array(OrderRequest).min(1).optional(),
    })
    .superRefine((order, ctx) => {
      const problem = priceProblem(order) ?? strategyProblem(order);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
);

const Oco: z.ZodType<OcoRequest> = z.strictObject({
  orderStrategyType: z.literal('OCO'),
  childOrderStrategies: z.array(Single).length(2),
});

/** Any order request, checked strictly. */
export const OrderRequest: z.ZodType<OrderRequest> = z.lazy(() => z.union([Oco, Single]));

function priceProblem(order: SingleRequest): string | undefined {
  const { orderType, price, stopPrice, stopPriceLinkBasis, stopPriceLinkType, stopPriceOffset } = order;
  const trailing = [stopPriceLinkBasis, stopPriceLinkType, stopPriceOffset].some(
    (field) => field !== undefined,
  );
  if (orderType === 'TRAILING_STOP') {
    if (!stopPriceLinkBasis || !stopPriceLinkType || stopPriceOffset === undefined) {
      return 'TRAILING_STOP needs stopPriceLinkBasis, stopPriceLinkType and stopPriceOffset';
    }
    return price === undefined && stopPrice === undefined ? undefined : 'TRAILING_STOP takes no price';
  }
  if (trailing) return `${orderType} takes no stopPriceLink fields`;
  const wants = {
    MARKET: [false, false],
    LIMIT: [true, false],
    STOP: [false, true],
    STOP_LIMIT: [true, true],
  }[orderType];
  if ((price !== undefined) !== wants[0]) return `${orderType} ${wants[0] ? 'needs' : 'takes no'} price`;
  if ((stopPrice !== undefined) !== wants[1])
    return `${orderType} ${wants[1] ? 'needs' : 'takes no'} stopPrice`;
  if (order.session !== 'NORMAL' && orderType !== 'LIMIT') return 'extended hours take LIMIT orders only';
  for (const value of [price, stopPrice]) {
    if (value !== undefined && !onTick(value)) return `${value} is not a valid equity price increment`;
  }
  return undefined;
}

/** Cents from one dollar up, hundredths of a cent below. */
function onTick(value: number): boolean {
  const factor = value < 1 ? 10_000 : 100;
  return Math.abs(value * factor - Math.round(value * factor)) < 1e-6;
}

function strategyProblem(order: SingleRequest): string | undefined {
  const children = order.childOrderStrategies?.length ?? 0;
  if (order.orderStrategyType === 'TRIGGER' && children === 0) return 'TRIGGER needs childOrderStrategies';
  if (order.orderStrategyType === 'SINGLE' && children > 0) return 'SINGLE takes no childOrderStrategies';
  return undefined;
}
