/**
 * A hand-written broker of our port that fails right after the real broker took an order. The next
 * `crashes` submissions are forwarded to the inner broker and, once it has answered, fail one way:
 * - `throw`: submitOrder throws a plain Error (an adapter or runtime failure after the call). The
 *   code that called it still runs, so it may look the order up.
 * - `die`: submitOrder returns the broker's report, but reading the report throws. The handler
 *   aborts while it handles the answer, before anything of it is written: as if the process had
 *   died between the broker call and our write.
 * Later submissions, and every other call, are forwarded unchanged.
 */
import type { AccountReport, BrokerPort, MarketClock, OrderRef } from '../../src/brokers/port.ts';
import type { BrokerOrderId, ClientOrderId } from '../../src/domain/ids.ts';
import type { FillReport, OrderStatusReport, PositionReport, SubmitOrder } from '../../src/domain/order.ts';

/** How the crash shows. */
export type CrashMode = 'throw' | 'die';

/** The message of every failure this broker makes. */
export const CRASH_MESSAGE = 'the process stopped after the broker took the order';

/** A broker that crashes after the next `crashes` submissions reached the inner broker. */
export class CrashingBroker implements BrokerPort {
  readonly name: string;
  /** The broker's answers to the submissions that crashed. */
  readonly taken: OrderStatusReport[] = [];

  constructor(
    private readonly inner: BrokerPort,
    private readonly mode: CrashMode,
    private crashes = 1,
  ) {
    this.name = inner.name;
  }

  async submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    const report = await this.inner.submitOrder(order, signal);
    if (this.crashes <= 0) return report;
    this.crashes -= 1;
    this.taken.push(report);
    if (this.mode === 'throw') throw new Error(CRASH_MESSAGE);
    return unreadable(report);
  }

  getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    return this.inner.getOrder(clientOrderId, signal);
  }

  getOrderByBrokerId(id: BrokerOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    return this.inner.getOrderByBrokerId(id, signal);
  }

  cancelOrder(ref: OrderRef): Promise<void> {
    return this.inner.cancelOrder(ref);
  }

  listOpenOrders(): Promise<OrderStatusReport[]> {
    return this.inner.listOpenOrders();
  }

  listFillsSince(since: Date): Promise<FillReport[]> {
    return this.inner.listFillsSince(since);
  }

  getPositions(): Promise<PositionReport[]> {
    return this.inner.getPositions();
  }

  getAccount(): Promise<AccountReport> {
    return this.inner.getAccount();
  }

  getClock(): Promise<MarketClock> {
    return this.inner.getClock();
  }
}

/** `report`, except that reading its status throws (it is not a thenable, so awaiting it works). */
function unreadable(report: OrderStatusReport): OrderStatusReport {
  return Object.defineProperty({ ...report }, 'status', {
    enumerable: true,
    get(): never {
      throw new Error(CRASH_MESSAGE);
    },
  });
}
