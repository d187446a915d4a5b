/**
 * The fake's account and orders as Schwab's JSON (the Order and SecuritiesAccount schemas of the
 * Trader API): numeric ids, Schwab's time format, fills in orderActivityCollection.
 */
import { type FakeBook, type FakeOrder, filledOf, quantityOf } from './fake-book.ts';

/** The account number the fake's orders carry. */
export const FAKE_ACCOUNT_NUMBER = '12345678';

/** A time as Schwab writes it: `2024-05-23T13:36:02+0000`. */
export function schwabTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** One order as GET /accounts/{hash}/orders/{id} answers it. */
export function renderOrder(order: FakeOrder): Record<string, unknown> {
  const base = {
    orderId: order.orderId,
    status: order.status,
    enteredTime: schwabTime(order.enteredTime),
    accountNumber: Number(FAKE_ACCOUNT_NUMBER),
    cancelable: !['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'REPLACED'].includes(order.status),
    editable: false,
    ...(order.closeTime ? { closeTime: schwabTime(order.closeTime) } : {}),
    ...(order.statusDescription ? { statusDescription: order.statusDescription } : {}),
    ...(order.children.length > 0 ? { childOrderStrategies: order.children.map(renderOrder) } : {}),
  };
  const request = order.request;
  if (request.orderStrategyType === 'OCO') return { ...base, orderStrategyType: 'OCO' };
  const { childOrderStrategies: _children, orderLegCollection, ...fields } = request;
  const quantity = quantityOf(order);
  const filled = filledOf(order);
  return {
    ...fields,
    ...base,
    complexOrderStrategyType: 'NONE',
    quantity,
    filledQuantity: filled,
    remainingQuantity: Math.max(0, quantity - filled),
    requestedDestination: 'AUTO',
    destinationLinkName: 'AutoRoute',
    orderLegCollection: orderLegCollection.map((leg) => ({
      orderLegType: 'EQUITY',
      legId: 1,
      instrument: {
        assetType: 'EQUITY',
        cusip: '000000000',
        symbol: leg.instrument.symbol,
        instrumentId: 4242,
      },
      instruction: leg.instruction,
      positionEffect: leg.instruction === 'BUY' || leg.instruction === 'SELL_SHORT' ? 'OPENING' : 'CLOSING',
      quantity: leg.quantity,
    })),
    ...(order.executions.some((execution) => execution.listed)
      ? { orderActivityCollection: activities(order, quantity) }
      : {}),
  };
}

function activities(order: FakeOrder, quantity: number): Array<Record<string, unknown>> {
  let remaining = quantity;
  return order.executions.flatMap((execution) => {
    remaining -= execution.quantity;
    if (!execution.listed) return [];
    return {
      activityType: 'EXECUTION',
      activityId: execution.activityId,
      executionType: 'FILL',
      quantity: execution.quantity,
      orderRemainingQuantity: remaining,
      executionLegs: [
        {
          legId: 1,
          price: execution.price,
          quantity: execution.quantity,
          mismarkedQuantity: 0,
          instrumentId: 4242,
          time: schwabTime(execution.time),
        },
      ],
    };
  });
}

/** GET /accounts/{hash}[?fields=positions]: a margin account with its balances. */
export function renderAccount(book: FakeBook, withPositions: boolean): Record<string, unknown> {
  const positions = [...book.positions.entries()]
    .filter(([, position]) => position.qty !== 0)
    .map(([symbol, position]) => ({
      shortQuantity: Math.max(0, -position.qty),
      longQuantity: Math.max(0, position.qty),
      averagePrice: position.avgPrice,
      ...(position.qty > 0
        ? { averageLongPrice: position.avgPrice }
        : { averageShortPrice: position.avgPrice }),
      settledLongQuantity: Math.max(0, position.qty),
      settledShortQuantity: Math.max(0, -position.qty),
      instrument: { assetType: position.assetType, cusip: '000000000', symbol },
      marketValue: position.qty * (book.prices.get(symbol) ?? position.avgPrice),
    }));
  const { cashBalance, liquidationValue, buyingPower, availableFunds } = book.balances;
  return {
    securitiesAccount: {
      type: 'MARGIN',
      accountNumber: FAKE_ACCOUNT_NUMBER,
      roundTrips: 0,
      isDayTrader: false,
      isClosingOnlyRestricted: false,
      pfcbFlag: false,
      ...(withPositions ? { positions } : {}),
      initialBalances: { cashBalance, liquidationValue, buyingPower },
      currentBalances: {
        availableFunds,
        buyingPower,
        equity: liquidationValue,
        cashBalance,
        liquidationValue,
      },
      projectedBalances: { availableFunds, buyingPower },
    },
    aggregatedBalance: { currentLiquidationValue: liquidationValue, liquidationValue },
  };
}
