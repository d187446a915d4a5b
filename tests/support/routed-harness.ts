/**
 * Helpers for tests of routed accounts over the app harness: a harness whose every account has its
 * book (start-up does this in prepareAccounts; the harness itself only makes the default one), and
 * typed reads of one account's orders, positions and view through `?account=`.
 */
import { z } from 'zod';
import type { AccountDeps } from '../../src/app/accounts.ts';
import { accountConfigs } from '../../src/app/build-deps.ts';
import { type OrderRecord, parseOrder } from '../../src/store/order-store.ts';
import {
  AccountView,
  type Harness,
  type HarnessOptions,
  ListedAlert,
  ListedPosition,
  startHarness,
} from './app-harness.ts';

/** Starts a harness with `options` and makes the book of every configured account, as start-up does. */
export async function startRoutedHarness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  const now = h.deps.now();
  for (const account of accountConfigs(h.config)) {
    await accountNamed(h, account.accountId).book.ensure(account.risk.tradingState, now);
  }
  return h;
}

/** The account named `accountId`; fails the test when there is none. */
export function accountNamed(h: Harness, accountId: string): AccountDeps {
  const found = h.deps.routing.find(accountId);
  if (found === undefined) throw new Error(`no account "${accountId}" in the harness`);
  return found;
}

/** What one account made of an alert, as the answer of a fanned-out alert lists it. */
export const AccountAnswer = z.looseObject({
  accountId: z.string(),
  httpStatus: z.number(),
  status: z.string(),
  orderId: z.string().optional(),
  code: z.string().optional(),
  duplicateOf: z.string().optional(),
});
/** One account's part of an answer. */
export type AccountAnswer = z.infer<typeof AccountAnswer>;

/** The per-account part of a webhook answer, in route order; fails the test when it is absent. */
export function accountAnswers(answer: Record<string, unknown>): AccountAnswer[] {
  return z.array(AccountAnswer).parse(answer.accounts);
}

/** One delivery as GET /api/alerts lists it, with its per-account outcomes. */
export const RoutedAlert = ListedAlert.extend({
  accounts: z
    .array(
      z.looseObject({
        accountId: z.string(),
        status: z.string(),
        httpStatus: z.number(),
        code: z.string().optional(),
        orderIds: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
/** A listed delivery with per-account outcomes. */
export type RoutedAlert = z.infer<typeof RoutedAlert>;

/** The delivery `alertId` as GET /api/alerts lists it; fails the test when it is not listed. */
export async function listedAlert(h: Harness, alertId: string): Promise<RoutedAlert> {
  const body = await getJson(h, '/alerts?limit=500');
  const listed = z.object({ alerts: z.array(RoutedAlert) }).parse(body).alerts;
  const found = listed.find((alert) => alert.alertId === alertId);
  if (found === undefined) throw new Error(`alert ${alertId} is not listed`);
  return found;
}

/** GET /api/orders?account=<accountId>. */
export async function ordersOf(h: Harness, accountId: string): Promise<OrderRecord[]> {
  const body = await getJson(h, `/orders?limit=500&account=${encodeURIComponent(accountId)}`);
  return z
    .object({ orders: z.array(z.record(z.string(), z.unknown())) })
    .parse(body)
    .orders.map(parseOrder);
}

/** GET /api/positions?account=<accountId>. */
export async function positionsOf(h: Harness, accountId: string): Promise<ListedPosition[]> {
  const body = await getJson(h, `/positions?account=${encodeURIComponent(accountId)}`);
  return z.object({ positions: z.array(ListedPosition) }).parse(body).positions;
}

/** GET /api/account?account=<accountId>, with the account id it answers for. */
export async function accountOf(h: Harness, accountId: string): Promise<AccountView & { accountId: string }> {
  const body = await getJson(h, `/account?account=${encodeURIComponent(accountId)}`);
  return z.object({ account: AccountView.extend({ accountId: z.string() }) }).parse(body).account;
}

/** POST /api/trading-state?account=<accountId> with `state`. */
export async function setTradingStateOf(
  h: Harness,
  accountId: string,
  state: string,
): Promise<{ status: number; account?: (AccountView & { accountId: string }) | undefined }> {
  const reply = await h.api(`/trading-state?account=${encodeURIComponent(accountId)}`, {
    method: 'POST',
    body: JSON.stringify({ state }),
    headers: { 'content-type': 'application/json' },
  });
  const parsed = z
    .object({ account: AccountView.extend({ accountId: z.string() }) })
    .safeParse(JSON.parse(reply.text));
  return { status: reply.status, account: parsed.success ? parsed.data.account : undefined };
}

async function getJson(h: Harness, path: string): Promise<unknown> {
  const reply = await h.api(path);
  if (reply.status !== 200) throw new Error(`GET /api${path} answered ${reply.status}: ${reply.text}`);
  return JSON.parse(reply.text);
}
