import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { prepareAccounts } from '../../src/app/boot.ts';
import { type Harness, startHarness } from '../support/app-harness.ts';
import {
  accountAnswers,
  accountNamed,
  accountOf,
  listedAlert,
  ordersOf,
  positionsOf,
  setTradingStateOf,
  startRoutedHarness,
} from '../support/routed-harness.ts';
import { ScriptedBroker } from '../support/scripted-broker.ts';

/** A second paper account, "live", and the strategy "trend" routed to the default account and to it. */
const ROUTED: Record<string, string> = {
  PINEBRIDGE__ACCOUNTS__LIVE__BROKER__KIND: 'paper',
  PINEBRIDGE__STRATEGIES__TREND__ACCOUNTS: 'default,live',
};

/** The client order ids of the orders an account holds for `symbol`. */
async function orderIdsOf(h: Harness, accountId: string, symbol: string): Promise<string[]> {
  return (await ordersOf(h, accountId))
    .filter((order) => order.symbol === symbol)
    .map((order) => order.clientOrderId);
}

/** The quantity the broker of `accountId` holds in `symbol` (0 when it holds none). */
async function brokerQty(h: Harness, accountId: string, symbol: string): Promise<number> {
  const positions = await accountNamed(h, accountId).broker.getPositions();
  return positions.find((position) => position.symbol === symbol)?.qty ?? 0;
}

const ReconcileFields = z.looseObject({
  ordersChecked: z.number(),
  ordersSettled: z.number(),
  driftPolicy: z.string(),
  errors: z.array(z.unknown()),
});
const AllAccountsReconcile = z.object({
  report: ReconcileFields.nullable(),
  accounts: z.array(
    z.looseObject({ accountId: z.string(), ok: z.boolean(), report: ReconcileFields.optional() }),
  ),
});

describe('an alert of a strategy routed to two accounts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({
      env: { ...ROUTED, PINEBRIDGE__STRATEGIES__SWING__ACCOUNTS: 'live' },
    });
  });
  afterAll(() => h.close());

  it('makes one order in each account, each under its own client order id', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 3, price: 100, strategy: 'trend' });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(200);
    expect(answer.status).toBe('accepted');
    const first = `pb-${answer.alertId}-1`;
    const third = `pb-${answer.alertId}-3`;
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', httpStatus: 200, status: 'accepted', orderId: first }),
      expect.objectContaining({ accountId: 'live', httpStatus: 200, status: 'accepted', orderId: third }),
    ]);
    expect(await orderIdsOf(h, 'default', 'AAPL')).toEqual([first]);
    expect(await orderIdsOf(h, 'live', 'AAPL')).toEqual([third]);
    expect((await ordersOf(h, 'live')).map((order) => order.accountId)).toEqual(['live']);
    expect(await brokerQty(h, 'default', 'AAPL')).toBe(3);
    expect(await brokerQty(h, 'live', 'AAPL')).toBe(3);
  });

  it('keeps each account’s positions apart', async () => {
    // Prepare
    const routed = h.alert({ symbol: 'MSFT', action: 'buy', quantity: 2, price: 400, strategy: 'trend' });
    const unrouted = h.alert({ symbol: 'NVDA', action: 'buy', quantity: 1, price: 900, strategy: 'scalp' });

    // Act
    await h.post(routed);
    await h.post(unrouted);

    // Assess
    const live = await positionsOf(h, 'live');
    const main = await positionsOf(h, 'default');
    expect(live.map((position) => position.symbol)).not.toContain('NVDA');
    expect(live).toContainEqual(expect.objectContaining({ symbol: 'MSFT', qty: 2 }));
    expect(main).toContainEqual(expect.objectContaining({ symbol: 'MSFT', qty: 2 }));
    expect(main).toContainEqual(expect.objectContaining({ symbol: 'NVDA', qty: 1 }));
    expect(await h.positions()).toEqual(main);
    expect((await accountOf(h, 'live')).openPositions).toBe(live.length);
  });

  it('answers a resend of the same body as a duplicate for both accounts', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AMD', action: 'buy', quantity: 4, price: 120, strategy: 'trend' });
    const first = await h.post(body);

    // Act
    const resend = await h.post(body);

    // Assess
    expect(first.answer.status).toBe('accepted');
    expect(resend.status).toBe(200);
    expect(resend.answer.status).toBe('duplicate');
    const duplicateOf = first.answer.alertId;
    expect(accountAnswers(resend.answer)).toEqual([
      expect.objectContaining({ accountId: 'default', status: 'duplicate', duplicateOf }),
      expect.objectContaining({ accountId: 'live', status: 'duplicate', duplicateOf }),
    ]);
    expect(await orderIdsOf(h, 'default', 'AMD')).toHaveLength(1);
    expect(await orderIdsOf(h, 'live', 'AMD')).toHaveLength(1);
    expect(await brokerQty(h, 'live', 'AMD')).toBe(4);
    expect((await listedAlert(h, resend.answer.alertId)).status).toBe('duplicate');
  });

  it('sends an alert of a strategy without accounts to the default account only', async () => {
    // Prepare
    const body = h.alert({ symbol: 'KO', action: 'buy', quantity: 5, price: 60, strategy: 'meanrev' });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'accepted', orderId: `pb-${answer.alertId}-1` });
    expect(answer.accounts).toBeUndefined();
    expect(await orderIdsOf(h, 'default', 'KO')).toEqual([`pb-${answer.alertId}-1`]);
    expect(await orderIdsOf(h, 'live', 'KO')).toEqual([]);
    expect(await brokerQty(h, 'live', 'KO')).toBe(0);
  });

  it('sends an alert without a strategy to the default account only', async () => {
    // Prepare
    const body = h.alert({ symbol: 'PEP', action: 'buy', quantity: 1, price: 170 });

    // Act
    const { answer } = await h.post(body);

    // Assess
    expect(answer.status).toBe('accepted');
    expect(await orderIdsOf(h, 'default', 'PEP')).toHaveLength(1);
    expect(await orderIdsOf(h, 'live', 'PEP')).toEqual([]);
  });

  it('routes a strategy named in another case or spelling the same way', async () => {
    // Prepare
    const body = h.alert({ symbol: 'INTC', action: 'buy', quantity: 1, price: 30, strategy: 'Trend' });

    // Act
    const { answer } = await h.post(body);

    // Assess
    expect(accountAnswers(answer).map((outcome) => outcome.accountId)).toEqual(['default', 'live']);
    expect(await orderIdsOf(h, 'live', 'INTC')).toEqual([`pb-${answer.alertId}-3`]);
  });

  it('sends an alert of a strategy routed to another account there only, and a resend is a duplicate', async () => {
    // Prepare
    const body = h.alert({ symbol: 'ORCL', action: 'buy', quantity: 2, price: 110, strategy: 'swing' });

    // Act
    const first = await h.post(body);
    const resend = await h.post(body);

    // Assess
    expect(first.status).toBe(200);
    expect(first.answer.status).toBe('accepted');
    expect(accountAnswers(first.answer)).toEqual([
      expect.objectContaining({
        accountId: 'live',
        status: 'accepted',
        orderId: `pb-${first.answer.alertId}-1`,
      }),
    ]);
    expect(await orderIdsOf(h, 'default', 'ORCL')).toEqual([]);
    expect(await orderIdsOf(h, 'live', 'ORCL')).toEqual([`pb-${first.answer.alertId}-1`]);
    expect(resend.answer.status).toBe('duplicate');
    expect(await brokerQty(h, 'live', 'ORCL')).toBe(2);
  });
});

describe("each routed account's risk limits", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({
      env: {
        ...ROUTED,
        PINEBRIDGE__RISK__MAX_ORDER_QTY: '50',
        PINEBRIDGE__ACCOUNTS__LIVE__RISK__MAX_OPEN_POSITIONS: '1',
      },
    });
  });
  afterAll(() => h.close());

  it('denies the second symbol in the account at its open-position limit and accepts it in the other', async () => {
    // Prepare
    const opened = await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100, strategy: 'trend' }),
    );

    // Act
    const { status, answer } = await h.post(
      h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 400, strategy: 'trend' }),
    );

    // Assess
    expect(opened.answer.status).toBe('accepted');
    expect(status).toBe(200);
    expect(answer.status).toBe('accepted');
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', httpStatus: 200, status: 'accepted' }),
      expect.objectContaining({
        accountId: 'live',
        httpStatus: 422,
        status: 'denied',
        code: 'MAX_OPEN_POSITIONS',
        limit: 1,
      }),
    ]);
    expect(await orderIdsOf(h, 'default', 'MSFT')).toEqual([`pb-${answer.alertId}-1`]);
    expect(await orderIdsOf(h, 'live', 'MSFT')).toEqual([]);
    expect((await positionsOf(h, 'live')).map((position) => position.symbol)).toEqual(['AAPL']);
  });

  it('records the per-account outcomes with the delivery', async () => {
    // Prepare: live already holds AAPL from the test above, or takes it now
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 101, strategy: 'trend' }));
    const { answer } = await h.post(
      h.alert({ symbol: 'AMZN', action: 'buy', quantity: 1, price: 180, strategy: 'trend' }),
    );

    // Act
    const listed = await listedAlert(h, answer.alertId);

    // Assess
    expect(listed).toMatchObject({
      status: 'accepted',
      httpStatus: 200,
      symbol: 'AMZN',
      orderIds: [`pb-${answer.alertId}-1`],
    });
    expect(listed.accounts).toEqual([
      expect.objectContaining({
        accountId: 'default',
        status: 'accepted',
        httpStatus: 200,
        orderIds: [`pb-${answer.alertId}-1`],
      }),
      expect.objectContaining({
        accountId: 'live',
        status: 'denied',
        httpStatus: 422,
        code: 'MAX_OPEN_POSITIONS',
      }),
    ]);
    expect(listed.accounts?.[1]?.orderIds).toBeUndefined();
  });

  it('applies the inherited top-level limit in both accounts, and answers denied when both deny', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AAPL', action: 'buy', quantity: 60, price: 100, strategy: 'trend' });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(422);
    expect(answer.status).toBe('denied');
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', status: 'denied', code: 'MAX_ORDER_QTY', limit: 50 }),
      expect.objectContaining({ accountId: 'live', status: 'denied', code: 'MAX_ORDER_QTY', limit: 50 }),
    ]);
  });
});

describe('a routed alert when one account’s broker is down', () => {
  const broker = new ScriptedBroker();
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({ env: ROUTED, broker: (paper) => broker.over(paper) });
  });
  afterAll(() => h.close());

  it('answers 503, keeps the other account’s order, and a resend executes only where it failed', async () => {
    // Prepare
    const body = h.alert({ symbol: 'TSLA', action: 'buy', quantity: 4, price: 250, strategy: 'trend' });
    broker.mode = 'down';
    const first = await h.post(body);
    broker.mode = 'forward';

    // Act
    const resend = await h.post(body);
    const again = await h.post(body);

    // Assess
    expect(first.status).toBe(503);
    expect(first.answer.status).toBe('unavailable');
    expect(accountAnswers(first.answer)).toEqual([
      expect.objectContaining({ accountId: 'default', httpStatus: 503, status: 'unavailable' }),
      expect.objectContaining({ accountId: 'live', httpStatus: 200, status: 'accepted' }),
    ]);
    expect(resend.status).toBe(200);
    expect(resend.answer.status).toBe('accepted');
    expect(accountAnswers(resend.answer)).toEqual([
      expect.objectContaining({
        accountId: 'default',
        status: 'accepted',
        orderId: `pb-${resend.answer.alertId}-1`,
      }),
      expect.objectContaining({ accountId: 'live', status: 'duplicate', duplicateOf: first.answer.alertId }),
    ]);
    expect(again.answer.status).toBe('duplicate');
    // Exactly one order per account reached a broker; the refused try is kept as REJECTED.
    const main = (await ordersOf(h, 'default')).filter((order) => order.symbol === 'TSLA');
    expect(main.filter((order) => order.status !== 'REJECTED').map((order) => order.clientOrderId)).toEqual([
      `pb-${resend.answer.alertId}-1`,
    ]);
    expect(await orderIdsOf(h, 'live', 'TSLA')).toEqual([`pb-${first.answer.alertId}-3`]);
    expect(await brokerQty(h, 'default', 'TSLA')).toBe(4);
    expect(await brokerQty(h, 'live', 'TSLA')).toBe(4);
    expect(await positionsOf(h, 'default')).toEqual([expect.objectContaining({ symbol: 'TSLA', qty: 4 })]);
    expect(await positionsOf(h, 'live')).toEqual([expect.objectContaining({ symbol: 'TSLA', qty: 4 })]);
  });
});

describe('a routed alert when one account’s broker does not answer in time', () => {
  const broker = new ScriptedBroker();
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({ env: ROUTED, broker: (paper) => broker.over(paper) });
  });
  afterAll(() => h.close());

  it('answers 202 pending, and the resend is a duplicate for both accounts', async () => {
    // Prepare
    const body = h.alert({ symbol: 'AMD', action: 'buy', quantity: 2, price: 120, strategy: 'trend' });
    broker.mode = 'hang';
    const first = await h.post(body);
    broker.mode = 'forward';

    // Act
    const resend = await h.post(body);

    // Assess
    expect(first.status).toBe(202);
    expect(first.answer.status).toBe('pending');
    expect(accountAnswers(first.answer)).toEqual([
      expect.objectContaining({ accountId: 'default', httpStatus: 202, status: 'pending' }),
      expect.objectContaining({ accountId: 'live', httpStatus: 200, status: 'accepted' }),
    ]);
    expect(resend.answer.status).toBe('duplicate');
    expect(accountAnswers(resend.answer).map((outcome) => outcome.status)).toEqual([
      'duplicate',
      'duplicate',
    ]);
    // The hung submission may be tried again within the deadline, always under the same client order id.
    const sent = broker.submitted.filter((order) => order.symbol === 'AMD');
    expect(new Set(sent.map((order) => order.clientOrderId))).toEqual(
      new Set([`pb-${first.answer.alertId}-1`]),
    );
    expect(await orderIdsOf(h, 'live', 'AMD')).toHaveLength(1);
  });
});

describe("each routed account's circuit breaker", () => {
  const broker = new ScriptedBroker();
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({
      env: { ...ROUTED, PINEBRIDGE__BROKER__CIRCUIT__FAILURE_THRESHOLD: '1' },
      broker: (paper) => broker.over(paper),
    });
  });
  afterAll(() => h.close());

  it('opens for the failing account only, and the other account keeps trading', async () => {
    // Prepare
    broker.mode = 'down';
    await h.post(h.alert({ symbol: 'F', action: 'buy', quantity: 1, price: 12, strategy: 'trend' }));
    const submittedBefore = broker.submitted.length;

    // Act
    const { status, answer } = await h.post(
      h.alert({ symbol: 'GM', action: 'buy', quantity: 1, price: 40, strategy: 'trend' }),
    );

    // Assess
    expect(status).toBe(503);
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', status: 'unavailable', code: 'BROKER_CIRCUIT_OPEN' }),
      expect.objectContaining({ accountId: 'live', status: 'accepted' }),
    ]);
    expect(broker.submitted).toHaveLength(submittedBefore);
    const listed = z
      .object({ accounts: z.array(z.object({ accountId: z.string(), circuit: z.string() }).loose()) })
      .parse(JSON.parse((await h.api('/accounts')).text));
    expect(listed.accounts.map(({ accountId, circuit }) => ({ accountId, circuit }))).toEqual([
      { accountId: 'default', circuit: 'OPEN' },
      { accountId: 'live', circuit: 'CLOSED' },
    ]);
    expect(await orderIdsOf(h, 'live', 'GM')).toEqual([`pb-${answer.alertId}-3`]);
  });
});

describe('a routed reversal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({
      env: {
        ...ROUTED,
        PINEBRIDGE__STRATEGIES__TREND__SIZING__MODE: 'targetPosition',
        PINEBRIDGE__RISK__ALLOW_SHORT: 'true',
      },
    });
  });
  afterAll(() => h.close());

  it("numbers each account's two legs apart: -1 and -2 in the first, -3 and -4 in the second", async () => {
    // Prepare
    const target = (positionSize: number, price: number) =>
      h.alert({
        symbol: 'AAPL',
        strategy: 'trend',
        action: positionSize >= 0 ? 'buy' : 'sell',
        position_size: positionSize,
        market_position: positionSize > 0 ? 'long' : 'short',
        price,
      });
    await h.post(target(10, 100));

    // Act
    const { status, answer } = await h.post(target(-5, 101));

    // Assess
    expect(status).toBe(200);
    const id = answer.alertId;
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({
        accountId: 'default',
        status: 'accepted',
        orderIds: [`pb-${id}-1`, `pb-${id}-2`],
      }),
      expect.objectContaining({
        accountId: 'live',
        status: 'accepted',
        orderIds: [`pb-${id}-3`, `pb-${id}-4`],
      }),
    ]);
    expect(await brokerQty(h, 'default', 'AAPL')).toBe(-5);
    expect(await brokerQty(h, 'live', 'AAPL')).toBe(-5);
  });
});

describe('a strategy naming the same account twice', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({
      env: { ...ROUTED, PINEBRIDGE__STRATEGIES__TWICE__ACCOUNTS: 'live,live' },
    });
  });
  afterAll(() => h.close());

  it('makes one order there', async () => {
    // Prepare
    const body = h.alert({ symbol: 'XOM', action: 'buy', quantity: 3, price: 110, strategy: 'twice' });

    // Act
    const { status, answer } = await h.post(body);

    // Assess
    expect(status).toBe(200);
    expect(answer.status).toBe('accepted');
    expect(await orderIdsOf(h, 'live', 'XOM')).toHaveLength(1);
    expect(await brokerQty(h, 'live', 'XOM')).toBe(3);
    expect(await orderIdsOf(h, 'default', 'XOM')).toEqual([]);
  });
});

describe('trading state per account', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({ env: ROUTED });
  });
  afterAll(() => h.close());

  it('halts only the account named by ?account=, which denies while the default one accepts', async () => {
    // Prepare
    const halted = await setTradingStateOf(h, 'live', 'HALTED');

    // Act
    const { status, answer } = await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100, strategy: 'trend' }),
    );

    // Assess
    expect(halted).toMatchObject({ status: 200, account: { accountId: 'live', tradingState: 'HALTED' } });
    expect((await accountOf(h, 'default')).tradingState).toBe('ACTIVE');
    expect((await accountOf(h, 'live')).tradingState).toBe('HALTED');
    expect(status).toBe(200);
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', status: 'accepted' }),
      expect.objectContaining({ accountId: 'live', status: 'denied', code: 'TRADING_HALTED' }),
    ]);
    expect(await orderIdsOf(h, 'live', 'AAPL')).toEqual([]);
    expect(await orderIdsOf(h, 'default', 'AAPL')).toEqual([`pb-${answer.alertId}-1`]);
  });

  it('refuses to change the state of an account there is not', async () => {
    // Prepare
    const before = await accountOf(h, 'default');

    // Act
    const reply = await setTradingStateOf(h, 'nope', 'HALTED');

    // Assess
    expect(reply.status).toBe(404);
    expect((await accountOf(h, 'default')).tradingState).toBe(before.tradingState);
  });
});

describe("each routed account's daily loss limit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({
      env: { ...ROUTED, PINEBRIDGE__ACCOUNTS__LIVE__RISK__MAX_DAILY_LOSS: '50' },
    });
  });
  afterAll(() => h.close());

  it('switches only the account whose limit was reached to REDUCING', async () => {
    // Prepare: both accounts lose about 100 on AAPL; only "live" has a limit
    await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100, strategy: 'trend' }));
    await h.post(h.alert({ symbol: 'AAPL', action: 'sell', quantity: 10, price: 90, strategy: 'trend' }));

    // Act
    const { status, answer } = await h.post(
      h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 400, strategy: 'trend' }),
    );

    // Assess
    expect((await accountOf(h, 'live')).tradingState).toBe('REDUCING');
    expect((await accountOf(h, 'default')).tradingState).toBe('ACTIVE');
    expect(status).toBe(200);
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', status: 'accepted' }),
      expect.objectContaining({ accountId: 'live', status: 'denied', code: 'TRADING_REDUCING' }),
    ]);
  });
});

describe('start-up with routed accounts', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it("makes every account's book in its configured trading state and reads each one's own broker", async () => {
    // Prepare
    h = await startHarness({
      env: {
        ...ROUTED,
        PINEBRIDGE__ACCOUNTS__LIVE__RISK__TRADING_STATE: 'HALTED',
        PINEBRIDGE__ACCOUNTS__LIVE__BROKER__PAPER__STARTING_CASH: '2000',
      },
    });

    // Act
    await prepareAccounts(h.deps, h.config);

    // Assess
    expect((await accountOf(h, 'live')).tradingState).toBe('HALTED');
    expect((await accountOf(h, 'default')).tradingState).toBe('ACTIVE');
    expect((await accountNamed(h, 'live').book.get()).broker).toMatchObject({ equity: 2000, cash: 2000 });
    expect((await accountNamed(h, 'default').book.get()).broker).toMatchObject({ equity: 100_000 });
  });
});

describe('the accounts as the API and /health show them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRoutedHarness({ env: ROUTED });
  });
  afterAll(() => h.close());

  it('lists every account, the default first, at GET /api/accounts', async () => {
    // Prepare
    const path = '/accounts';

    // Act
    const reply = await h.api(path);

    // Assess
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({
      accounts: [
        { accountId: 'default', broker: 'paper', circuit: 'CLOSED' },
        { accountId: 'live', broker: 'paper', circuit: 'CLOSED' },
      ],
    });
  });

  it('lists every account at /health', async () => {
    // Prepare
    const request = new Request('http://localhost/health');

    // Act
    const response = await h.app.request(request);

    // Assess
    expect(response.status).toBe(200);
    const health = z
      .object({ accounts: z.array(z.looseObject({ accountId: z.string(), broker: z.string() })) })
      .parse(await response.json());
    expect(health.accounts.map((account) => account.accountId)).toEqual(['default', 'live']);
  });

  it("shows the named account's view at GET /api/account?account=", async () => {
    // Prepare
    await h.post(h.alert({ symbol: 'IBM', action: 'buy', quantity: 1, price: 200, strategy: 'trend' }));

    // Act
    const live = await accountOf(h, 'live');
    const main = await accountOf(h, 'default');

    // Assess
    expect(live).toMatchObject({ accountId: 'live', openPositions: 1 });
    expect(main).toMatchObject({ accountId: 'default', openPositions: 1 });
  });

  it('answers 404 naming the accounts there are to an unknown ?account=', async () => {
    // Prepare
    const paths = ['/account?account=nope', '/orders?account=nope', '/positions?account=nope'];

    // Act
    const replies = await Promise.all(paths.map((path) => h.api(path)));

    // Assess
    for (const reply of replies) {
      expect(reply.status).toBe(404);
      const body = z.object({ status: z.string(), message: z.string() }).parse(JSON.parse(reply.text));
      expect(body.status).toBe('not_found');
      expect(body.message).toContain('"nope"');
      expect(body.message).toContain('default, live');
    }
  });
});

describe('POST /api/reconcile with routed accounts', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  /** A harness where "live" fills half of each order at once and has its own drift policy. */
  const start = () =>
    startRoutedHarness({
      env: {
        ...ROUTED,
        PINEBRIDGE__ACCOUNTS__LIVE__BROKER__PAPER__PARTIAL_FILL_RATIO: '0.5',
        PINEBRIDGE__ACCOUNTS__LIVE__DRIFT_POLICY: 'halt',
      },
    });

  it('runs a pass per account and answers each one’s report, the default one’s as `report`', async () => {
    // Prepare
    h = await start();
    const { answer } = await h.post(
      h.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100, strategy: 'trend' }),
    );
    const liveBefore = await positionsOf(h, 'live');

    // Act
    const reply = await h.api('/reconcile', { method: 'POST' });

    // Assess
    expect(accountAnswers(answer)).toEqual([
      expect.objectContaining({ accountId: 'default', orderStatus: 'FILLED', filledQty: 10 }),
      expect.objectContaining({ accountId: 'live', orderStatus: 'PARTIALLY_FILLED', filledQty: 5 }),
    ]);
    expect(liveBefore).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 5, pendingOpenQty: 5 })]);
    expect(reply.status).toBe(200);
    const body = AllAccountsReconcile.parse(JSON.parse(reply.text));
    expect(body.accounts.map(({ accountId, ok }) => ({ accountId, ok }))).toEqual([
      { accountId: 'default', ok: true },
      { accountId: 'live', ok: true },
    ]);
    const [main, live] = body.accounts;
    expect(main?.report).toMatchObject({ ordersSettled: 0, driftPolicy: 'alert', errors: [] });
    expect(live?.report).toMatchObject({
      ordersChecked: 1,
      ordersSettled: 1,
      driftPolicy: 'halt',
      errors: [],
    });
    expect(body.report).toEqual(main?.report);
    expect(await positionsOf(h, 'live')).toEqual([
      expect.objectContaining({ symbol: 'AAPL', qty: 10, pendingOpenQty: 0 }),
    ]);
  });

  it("runs one account's pass with ?account= and answers that account's report", async () => {
    // Prepare
    h = await start();
    await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 4, price: 400, strategy: 'trend' }));

    // Act
    const reply = await h.api('/reconcile?account=live', { method: 'POST' });

    // Assess
    expect(reply.status).toBe(200);
    const body = z.object({ report: ReconcileFields }).strict().parse(JSON.parse(reply.text));
    expect(body.report).toMatchObject({ ordersChecked: 1, ordersSettled: 1, driftPolicy: 'halt' });
    expect(await positionsOf(h, 'live')).toEqual([expect.objectContaining({ symbol: 'MSFT', qty: 4 })]);
  });

  it('answers 404 to a pass of an account there is not', async () => {
    // Prepare
    h = await start();

    // Act
    const reply = await h.api('/reconcile?account=nope', { method: 'POST' });

    // Assess
    expect(reply.status).toBe(404);
    expect(reply.text).toContain('default, live');
  });
});
