/**
 * A container sizes an alert from the book it read or wrote moments ago instead of reading it again.
 * Two harnesses over one table stand for two Lambda containers: what one writes, the other's recent
 * book does not hold, and the reservation's conditions or a fresh read must catch it.
 */
import { describe, expect, it } from 'vitest';
import { type Harness, harnessesPerTest } from '../support/app-harness.ts';

const TARGET_SIZING = { PINEBRIDGE__STRATEGIES__TREND__SIZING__MODE: 'targetPosition' };

/** Counts the GetItem calls on the book item made through `h`'s table client (the document client's keys, not yet marshalled). */
function countBookReads(h: Harness): () => number {
  let reads = 0;
  h.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input: { Key?: { sk?: unknown } } = args.input as object;
      if (context.commandName === 'GetItemCommand' && input.Key?.sk === 'BOOK') reads += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countBookReads' },
  );
  return () => reads;
}

describe('sizing from the recent book', () => {
  const harness = harnessesPerTest({ env: TARGET_SIZING });
  const start = (table?: Harness['table']) => harness(table ? { table } : {});
  const target = (h: Harness, symbol: string, size: number, n: number) =>
    h.alert({ symbol, strategy: 'Trend', action: 'buy', position_size: size, price: 100, comment: `#${n}` });

  it('sizes an alert from the book the alert before it left, without reading it', async () => {
    // Prepare
    const h = await start();
    const first = await h.post(h.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100 }));
    const reads = countBookReads(h);

    // Act
    const second = await h.post(h.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 100 }));

    // Assess
    expect([first.answer.status, second.answer.status]).toEqual(['accepted', 'accepted']);
    expect(reads()).toBe(0);
    expect(await h.positions()).toHaveLength(2);
  });

  it('sizes again when another container moved the symbol since', async () => {
    // Prepare: container A holds 5 and remembers it; container B buys 5 more
    const a = await start();
    const b = await start(a.table);
    expect((await a.post(target(a, 'AAPL', 5, 1))).answer).toMatchObject({ status: 'accepted', qty: 5 });
    expect((await b.post(target(b, 'AAPL', 10, 2))).answer).toMatchObject({ status: 'accepted', qty: 5 });

    // Act: A is asked for 10, which its recent book says needs 5 more
    const reply = await a.post(target(a, 'AAPL', 10, 3));

    // Assess: the reservation saw the symbol had moved; sized again, there is nothing to buy
    expect(reply.answer).toMatchObject({ status: 'denied', code: 'ALREADY_AT_TARGET' });
    expect((await a.deps.book.get()).symbols.AAPL?.position.qty).toBe(10);
  });

  it('checks a denial again on a fresh read', async () => {
    // Prepare: container A reaches 10; container B closes the position
    const a = await start();
    const b = await start(a.table);
    expect((await a.post(target(a, 'AAPL', 10, 1))).answer).toMatchObject({ status: 'accepted', qty: 10 });
    expect((await b.post(target(b, 'AAPL', 0, 2))).answer).toMatchObject({ status: 'accepted', qty: 10 });

    // Act: A's recent book says it already holds 10
    const reply = await a.post(target(a, 'AAPL', 10, 3));

    // Assess
    expect(reply.answer).toMatchObject({ status: 'accepted', side: 'buy', qty: 10 });
    expect((await a.deps.book.get()).symbols.AAPL?.position.qty).toBe(10);
  });

  it('sizes a buy again when another container opened a short since', async () => {
    // Prepare: container A remembers AAPL flat; container B, which may short, opens a short of 5
    const a = await start();
    const b = await harness({ env: { PINEBRIDGE__RISK__ALLOW_SHORT: 'true' }, table: a.table });
    expect(
      (await a.post(a.alert({ symbol: 'MSFT', action: 'buy', quantity: 1, price: 100 }))).answer,
    ).toMatchObject({ status: 'accepted' });
    const short = await b.post(b.alert({ symbol: 'AAPL', action: 'short', quantity: 5, price: 100 }));
    expect(short.answer).toMatchObject({ status: 'accepted', side: 'sell', qty: 5 });

    // Act: A's recent book says flat, so a buy would open a long
    const reply = await a.post(a.alert({ symbol: 'AAPL', action: 'buy', quantity: 5, price: 100 }));

    // Assess: the reservation saw the short; sized again, the buy covers it
    expect(reply.answer).toMatchObject({ status: 'accepted', side: 'buy', qty: 5 });
    const book = await a.deps.book.get();
    expect(book.symbols.AAPL?.position.qty).toBe(0);
    expect(book.openSymbols).not.toContain('AAPL');
  });

  it('denies an alert at once when another container halted trading since', async () => {
    // Prepare: container A remembers an ACTIVE book; a person halts trading through container B
    const a = await start();
    const b = await start(a.table);
    const buy = (n: number) =>
      a.alert({ symbol: 'AAPL', action: 'buy', quantity: 1, price: 100, comment: `#${n}` });
    expect((await a.post(buy(1))).answer.status).toBe('accepted');
    expect((await b.setTradingState('HALTED')).status).toBe(200);

    // Act
    const reply = await a.post(buy(2));

    // Assess
    expect(reply.answer).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect((await a.deps.book.get()).symbols.AAPL?.position.qty).toBe(1);
  });
});
