/**
 * From Schwab's answers to our reports. Pure.
 *
 * Fills are the execution legs of an order's EXECUTION activities (`orderActivityCollection`).
 * Invariant (the port's): `fills` sum to `filledQty`. When Schwab's `filledQuantity` is ahead of the
 * legs it lists, or it calls the order FILLED, CANCELED, EXPIRED or REPLACED before every fill is
 * listed, the report keeps the order working (PARTIALLY_FILLED, or ACCEPTED without fills) so a
 * later look completes it: a fill is never lost to a terminal status.
 *
 * Schwab charges no commission on online equity trades and its order answer carries none: fills
 * report 0. Orders that are not ours are reported under `schwab-<orderId>`.
 */
import { asClientOrderId, brokerOrderId, type ClientOrderId } from '../../domain/ids.ts';
import {
  averagePrice,
  type FillReport,
  isTerminal,
  type OrderStatus,
  type OrderStatusReport,
  type PositionReport,
} from '../../domain/order.ts';
import { round } from '../../domain/position.ts';
import type { AccountReport } from '../port.ts';
import { sideOfInstruction, statusOf } from './schwab-mapping.ts';
import type { SchwabAccount, SchwabOrder } from './schwab-schemas.ts';

/** The client order id we report a Schwab order under when it is not one of ours. */
export function foreignClientOrderId(orderId: string): ClientOrderId {
  return asClientOrderId(`schwab-${orderId}`);
}

/** The fills of a Schwab order, oldest first. */
export function fillsOf(order: SchwabOrder, clientOrderId: ClientOrderId): FillReport[] {
  const leg = order.orderLegCollection[0];
  if (leg === undefined) return [];
  const side = sideOfInstruction(leg.instruction);
  const fills: FillReport[] = [];
  order.orderActivityCollection.forEach((activity, activityIndex) => {
    const execution = activity.activityType === undefined || activity.activityType === 'EXECUTION';
    const fill = activity.executionType === undefined || activity.executionType === 'FILL';
    if (!execution || !fill) return;
    const activityKey = activity.activityId ?? `a${activityIndex}`;
    (activity.executionLegs ?? []).forEach((execution, legIndex) => {
      if (execution.quantity <= 0) return;
      fills.push({
        fillId: `${order.orderId}-${activityKey}-${legIndex}`,
        clientOrderId,
        symbol: leg.instrument.symbol,
        side,
        qty: execution.quantity,
        price: execution.price,
        commission: 0,
        filledAt: execution.time,
      });
    });
  });
  return fills.sort((a, b) => a.filledAt.localeCompare(b.filledAt));
}

/** Our report of a Schwab order (the entry only: a bracket's exits are orders of their own). */
export function toReport(order: SchwabOrder, clientOrderId: ClientOrderId): OrderStatusReport {
  const leg = order.orderLegCollection[0];
  const fills = fillsOf(order, clientOrderId);
  const filledQty = round(fills.reduce((sum, fill) => sum + fill.qty, 0));
  const qty = order.quantity > 0 ? order.quantity : (leg?.quantity ?? 0);
  const status = withFills(statusOf(order.status), filledQty, Math.max(order.filledQuantity, 0), qty);
  const lastFill = fills.at(-1)?.filledAt;
  return {
    clientOrderId,
    brokerOrderId: brokerOrderId(order.orderId),
    symbol: leg?.instrument.symbol ?? '',
    side: sideOfInstruction(leg?.instruction ?? 'BUY'),
    qty,
    status,
    filledQty,
    avgFillPrice: averagePrice(fills),
    fills,
    reason: status === 'REJECTED' || status === 'CANCELED' ? order.statusDescription : undefined,
    updatedAt: order.closeTime ?? lastFill ?? order.enteredTime,
  };
}

/** The status the listed fills justify (see the module's invariant). */
function withFills(status: OrderStatus, listed: number, schwabFilled: number, qty: number): OrderStatus {
  const missing = Math.max(schwabFilled, status === 'FILLED' ? qty : 0) > listed;
  if (isTerminal(status) && status !== 'REJECTED' && missing) {
    return listed > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  }
  if ((status === 'ACCEPTED' || status === 'SUBMITTED') && listed > 0) return 'PARTIALLY_FILLED';
  return status;
}

/** A Schwab order and every order nested in it (a bracket's exits), parents first. */
export function flattenOrders(orders: readonly SchwabOrder[]): SchwabOrder[] {
  return orders.flatMap((order) => [order, ...flattenOrders(order.childOrderStrategies)]);
}

/** Non-flat positions; long minus short quantity, so a short is negative. Cash sweeps are left out. */
export function positionsOf(account: SchwabAccount): PositionReport[] {
  const reports: PositionReport[] = [];
  for (const position of account.securitiesAccount.positions) {
    if (position.instrument.assetType === 'CASH_EQUIVALENT') continue;
    const qty = round(position.longQuantity - position.shortQuantity);
    if (qty === 0) continue;
    const sided = qty > 0 ? position.averageLongPrice : position.averageShortPrice;
    reports.push({ symbol: position.instrument.symbol, qty, avgPrice: sided ?? position.averagePrice ?? 0 });
  }
  return reports;
}

/** Cash, equity and buying power from the current balances, or undefined when Schwab left them out. */
export function accountOf(account: SchwabAccount): AccountReport | undefined {
  const { currentBalances: current, initialBalances: initial } = account.securitiesAccount;
  const cash = current?.cashBalance ?? current?.availableFunds ?? initial?.cashBalance;
  const equity =
    current?.liquidationValue ??
    account.aggregatedBalance?.liquidationValue ??
    current?.equity ??
    initial?.liquidationValue;
  const buyingPower = current?.buyingPower ?? current?.cashAvailableForTrading ?? current?.availableFunds;
  if (cash === undefined || equity === undefined || buyingPower === undefined) return undefined;
  return { cash, equity, buyingPower, currency: 'USD' };
}
