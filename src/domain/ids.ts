/**
 * Distinct id types. A ClientOrderId is ours and deterministic: derived from the alert id and the
 * order's leg, so a retry of the same submission carries the same id and can be matched at the
 * broker. A BrokerOrderId is the broker's.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Our id for one delivery of an alert. Time-sortable. */
export type AlertId = Brand<string, 'AlertId'>;
/** Our id for an order, sent to the broker; at most 48 characters. */
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
/** The broker's id for an order. */
export type BrokerOrderId = Brand<string, 'BrokerOrderId'>;

/** The longest client order id any supported broker accepts (Alpaca's older limit). */
export const MAX_CLIENT_ORDER_ID_LENGTH = 48;

/** Makes alert ids: the time in base 36 (sortable) and random characters. */
export function alertIdFactory(random: (bytes: number) => string): (now: Date) => AlertId {
  return (now) => `${timeKey(now)}${random(6)}` as AlertId;
}

/** What every client order id of ours begins with. */
export const CLIENT_ORDER_ID_PREFIX = 'pb-';

/** The client order id for leg `leg` (1-based) of the order(s) an alert makes. */
export function clientOrderIdFor(alertId: AlertId, leg: number): ClientOrderId {
  const id = `${CLIENT_ORDER_ID_PREFIX}${alertId}-${leg}`;
  if (id.length > MAX_CLIENT_ORDER_ID_LENGTH) throw new RangeError(`client order id too long: ${id}`);
  return id as ClientOrderId;
}

/** The smallest client order id of an alert received at `at` or later (they sort by time). */
export function clientOrderIdPrefixAt(at: Date): string {
  return `${CLIENT_ORDER_ID_PREFIX}${timeKey(at)}`;
}

function timeKey(at: Date): string {
  return at.getTime().toString(36).padStart(9, '0');
}

/** Brands a string that came from a broker. */
export function brokerOrderId(value: string): BrokerOrderId {
  return value as BrokerOrderId;
}

/** Brands a client order id read back from storage or a broker report. */
export function asClientOrderId(value: string): ClientOrderId {
  return value as ClientOrderId;
}

/** Brands an alert id read back from storage. */
export function asAlertId(value: string): AlertId {
  return value as AlertId;
}

/**
 * The key an account name is matched by: lower case, letters and digits only, so the `paper2` that
 * PINEBRIDGE__ACCOUNTS__PAPER_2__… configures and the `paper_2` a strategy lists are one account.
 */
export function accountKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
