/**
 * Risk limits configured the way a user does (PINEBRIDGE__SECTION__KEY) hold under a burst of
 * concurrent alerts against the running server, and the trading state switches at runtime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountAnswer, PositionsAnswer, WebhookAnswer } from '../support/e2e-schemas.ts';
import { type LocalProcess, start } from '../support/local-process.ts';

describe('npm start with PINEBRIDGE__RISK__MAX_OPEN_POSITIONS=5', () => {
  let server: LocalProcess | undefined;
  const running = (): LocalProcess => {
    if (!server) throw new Error('the server did not start');
    return server;
  };

  beforeAll(async () => {
    server = await start({ PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5' });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it('accepts 5 of 40 concurrent buys for 40 symbols and denies 35 with MAX_OPEN_POSITIONS', async () => {
    // Prepare
    const { passphrase } = running();
    const symbols = Array.from({ length: 40 }, (_, i) => `BURST${String(i + 1).padStart(2, '0')}`);

    // Act
    const answers = await Promise.all(
      symbols.map((symbol) =>
        running().webhook({ passphrase, symbol, action: 'buy', quantity: 1, price: 10 }),
      ),
    );

    // Assess
    const accepted = answers.filter((answer) => answer.status === 200);
    const denied = answers.filter((answer) => answer.status === 422);
    expect(accepted.map((answer) => WebhookAnswer.parse(answer.json).status)).toEqual(
      Array(5).fill('accepted'),
    );
    expect(denied).toHaveLength(35);
    for (const answer of denied) {
      expect(answer.json).toMatchObject({ status: 'denied', code: 'MAX_OPEN_POSITIONS', limit: 5 });
    }
    const positions = PositionsAnswer.parse((await running().api('/api/positions')).json).positions;
    expect(positions).toHaveLength(5);
  });

  it('still accepts a buy that adds to a symbol already open at the limit', async () => {
    // Prepare
    const { passphrase } = running();
    const before = PositionsAnswer.parse((await running().api('/api/positions')).json).positions;
    const held = before[0];

    // Act
    const answer = await running().webhook({
      passphrase,
      symbol: held?.symbol,
      action: 'buy',
      quantity: 2,
      price: 11,
    });

    // Assess
    expect(answer.status, answer.text).toBe(200);
    const after = PositionsAnswer.parse((await running().api('/api/positions')).json).positions;
    expect(after.find((position) => position.symbol === held?.symbol)?.qty).toBe((held?.qty ?? 0) + 2);
    expect(after).toHaveLength(5);
  });

  it('denies a buy for a sixth symbol sent on its own', async () => {
    // Act
    const answer = await running().webhook({
      passphrase: running().passphrase,
      symbol: 'SIXTH',
      action: 'buy',
      quantity: 1,
      price: 10,
    });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ status: 'denied', code: 'MAX_OPEN_POSITIONS', limit: 5, current: 5 });
  });

  it('denies the next alert with 422 TRADING_HALTED once halted, and trades again once ACTIVE', async () => {
    // Prepare
    const { passphrase } = running();
    const held = PositionsAnswer.parse((await running().api('/api/positions')).json).positions[0];
    const buy = (price: number) => ({ passphrase, symbol: held?.symbol, action: 'buy', quantity: 1, price });

    // Act
    const halted = await setTradingState(running(), 'HALTED');
    const whileHalted = await running().webhook(buy(12));
    const active = await setTradingState(running(), 'ACTIVE');
    const afterwards = await running().webhook(buy(13));

    // Assess
    expect(halted.status).toBe(200);
    expect(AccountAnswer.parse(halted.json).account.tradingState).toBe('HALTED');
    expect(whileHalted.status).toBe(422);
    expect(whileHalted.json).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect(AccountAnswer.parse(active.json).account.tradingState).toBe('ACTIVE');
    expect(afterwards.status, afterwards.text).toBe(200);
    expect(afterwards.json).toMatchObject({ status: 'accepted' });
    const account = AccountAnswer.parse((await running().api('/api/account')).json).account;
    expect(account.tradingState).toBe('ACTIVE');
  });
});

describe('npm start with PINEBRIDGE__RISK__MAX_ORDERS_PER_MINUTE=3', () => {
  let server: LocalProcess | undefined;
  const running = (): LocalProcess => {
    if (!server) throw new Error('the server did not start');
    return server;
  };

  beforeAll(async () => {
    server = await start({ PINEBRIDGE__RISK__MAX_ORDERS_PER_MINUTE: '3' });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it('accepts exactly 3 of 10 concurrent buys for 10 symbols and denies 7 with MAX_ORDERS_PER_MINUTE', async () => {
    // Prepare: the server counts by the minute of its clock, so the burst must not straddle a minute
    const { passphrase } = running();
    await outOfMinuteEnd(8);
    const symbols = Array.from({ length: 10 }, (_, i) => `RATE${String(i + 1).padStart(2, '0')}`);

    // Act
    const answers = await Promise.all(
      symbols.map((symbol) =>
        running().webhook({ passphrase, symbol, action: 'buy', quantity: 1, price: 10 }),
      ),
    );

    // Assess
    const accepted = answers.filter((answer) => answer.status === 200);
    const denied = answers.filter((answer) => answer.status === 422);
    expect(accepted.map((answer) => WebhookAnswer.parse(answer.json).status)).toEqual(
      Array(3).fill('accepted'),
    );
    expect(denied).toHaveLength(7);
    for (const answer of denied) {
      expect(answer.json).toMatchObject({ status: 'denied', code: 'MAX_ORDERS_PER_MINUTE', limit: 3 });
    }
    const positions = PositionsAnswer.parse((await running().api('/api/positions')).json).positions;
    expect(positions).toHaveLength(3);
  });
});

/** POSTs /api/trading-state. */
function setTradingState(server: LocalProcess, state: string) {
  return server.api('/api/trading-state', {
    method: 'POST',
    body: JSON.stringify({ state }),
    headers: { 'content-type': 'application/json' },
  });
}

/** Waits for the next minute when fewer than `seconds` are left of this one. */
async function outOfMinuteEnd(seconds: number): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute < 60_000 - seconds * 1000) return;
  await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}
