import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAlertId } from '../../src/domain/ids.ts';
import { AlertStore } from '../../src/store/alert-store.ts';
import { BookStore } from '../../src/store/book-store.ts';
import { OrderStore } from '../../src/store/order-store.ts';
import { orderRecord, startHarness } from '../support/app-harness.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

describe('state kept in the table', () => {
  it('is seen whole by a new process over the same table', async () => {
    // Prepare
    const first = await startHarness();
    const buy = first.alert({ symbol: 'AAPL', action: 'buy', quantity: 10, price: 100 });
    const bought = await first.post(buy);
    await first.post(first.alert({ symbol: 'MSFT', action: 'buy', quantity: 5, price: 300 }));
    await first.post(first.alert({ symbol: 'AAPL', action: 'sell', quantity: 4, price: 110 }));
    await first.post(JSON.stringify({ passphrase: 'not-the-passphrase', symbol: 'AAPL', action: 'buy' }));
    const before = {
      positions: await first.positions(),
      orders: await first.orders(),
      alerts: await first.alerts(),
      book: await first.deps.book.get(),
    };

    // Act
    const second = await startHarness({ table: first.table });
    const after = {
      positions: await second.positions(),
      orders: await second.orders(),
      alerts: await second.alerts(),
      book: await second.deps.book.get(),
    };
    const resend = await second.post(buy);
    const report = await second.deps.reconcile();
    second.close();
    first.close();

    // Assess
    expect(after).toEqual(before);
    expect(after.positions.map((p) => `${p.symbol} ${p.qty}`).sort()).toEqual(['AAPL 6', 'MSFT 5']);
    expect(after.orders).toHaveLength(3);
    expect(after.alerts.map((a) => a.status).sort()).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'unauthorized',
    ]);
    expect(resend.answer).toMatchObject({ status: 'duplicate', duplicateOf: bought.answer.alertId });
    expect(report).toMatchObject({ ordersChecked: 0, drift: [], positionsCompared: true });
  });
});

describe('the stores on DynamoDB Local', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('stores');
  });
  afterAll(() => table.close());

  it('tells a second claim on a body which delivery holds it', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 300);
    const now = new Date();
    await alerts.claim('body-1', asAlertId('alert-a'), now);

    // Act
    const second = await alerts.claim('body-1', asAlertId('alert-b'), now);

    // Assess
    expect(second).toEqual({ claimed: false, duplicateOf: 'alert-a' });
  });

  it('lets a body be claimed again once its window has passed', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 60);
    const start = new Date();
    await alerts.claim('body-2', asAlertId('alert-a'), start);

    // Act
    const later = await alerts.claim('body-2', asAlertId('alert-b'), new Date(start.getTime() + 61_000));

    // Assess
    expect(later).toEqual({ claimed: true });
  });

  it('gives a claim back only for the delivery that holds it', async () => {
    // Prepare
    const alerts = new AlertStore(table, 90, 300);
    const now = new Date();
    await alerts.claim('body-3', asAlertId('alert-a'), now);

    // Act
    await alerts.release('body-3', asAlertId('alert-b'), now);
    const afterForeignRelease = await alerts.claim('body-3', asAlertId('alert-c'), now);
    await alerts.release('body-3', asAlertId('alert-a'), now);
    const afterOwnRelease = await alerts.claim('body-3', asAlertId('alert-d'), now);

    // Assess
    expect(afterForeignRelease).toEqual({ claimed: false, duplicateOf: 'alert-a' });
    expect(afterOwnRelease).toEqual({ claimed: true });
  });

  it('leaves an existing book as it is when ensured again', async () => {
    // Prepare
    const book = new BookStore(table, 'acct-ensure');
    await book.ensure('ACTIVE', new Date());
    await book.setTradingState('HALTED', new Date());

    // Act
    await book.ensure('ACTIVE', new Date());

    // Assess
    expect((await book.get()).tradingState).toBe('HALTED');
  });

  it('refuses to record the same client order id twice', async () => {
    // Prepare
    const orders = new OrderStore(table, 'acct-twice');
    const order = orderRecord('acct-twice', { id: 'twice', symbol: 'AAPL', qty: 1, createdAt: new Date() });
    const created = await orders.create(order);

    // Act
    const again = await orders.create({ ...order, qty: 99 });

    // Assess
    expect(created).toBe(true);
    expect(again).toBe(false);
    expect((await orders.get(order.clientOrderId))?.qty).toBe(1);
  });

  it('lists unsettled orders oldest first and drops an order once it is settled', async () => {
    // Prepare
    const orders = new OrderStore(table, 'acct-open');
    const start = Date.now() - 10_000;
    const [a, b, c] = ['a', 'b', 'c'].map((id, i) =>
      orderRecord('acct-open', { id, symbol: 'AAPL', qty: 1, createdAt: new Date(start + i * 1000) }),
    );
    if (!a || !b || !c) return expect.unreachable('three orders were made');
    for (const order of [c, a, b]) await orders.create(order);

    // Act
    await orders.update({ ...b, status: 'FILLED', filledQty: 1, settled: true });
    const open = await orders.listOpen();

    // Assess
    expect(open.map((order) => order.clientOrderId)).toEqual([a.clientOrderId, c.clientOrderId]);
    expect(await orders.get(b.clientOrderId)).toMatchObject({ status: 'FILLED', settled: true });
  });
});
