/**
 * Risk limits configured the way a user does (PINEBRIDGE__SECTION__KEY) hold under a burst of
 * concurrent alerts against the running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PositionsAnswer, WebhookAnswer } from '../support/e2e-schemas.ts';
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
});
