/**
 * A hand-written fake of our BrokerPort: it forwards to a real broker (the paper broker) unless told
 * to behave like a broker that hangs, is down, or loses its answer. No mocking framework, no SDK mocks.
 */
import { BrokerUnavailableError } from '../../src/brokers/errors.ts';
import type { AccountReport, BrokerPort, MarketClock, OrderRef } from '../../src/brokers/port.ts';
import type { BrokerOrderId, ClientOrderId } from '../../src/domain/ids.ts';
import type { FillReport, OrderStatusReport, PositionReport, SubmitOrder } from '../../src/domain/order.ts';

/**
 * How submitOrder behaves: forward; never answer (until aborted); refuse to connect; or forward and
 * then lose the answer, so the broker holds an order the caller never heard about.
 */
export type SubmitMode = 'forward' | 'hang' | 'down' | 'lose-answer';

/** A broker whose submissions can be made to hang, fail or lose their answer; the rest is forwarded. */
export class ScriptedBroker implements BrokerPort {
  readonly name = 'scripted';
  mode: SubmitMode = 'forward';
  /** Every submission received, in order. */
  readonly submitted: SubmitOrder[] = [];
  /** Submissions forwarded whose answers were lost; await them to know the broker has the orders. */
  readonly lost: Promise<OrderStatusReport>[] = [];
  private inner: BrokerPort | undefined;

  /** Sets the broker to forward to and returns this broker. */
  over(inner: BrokerPort): this {
    this.inner = inner;
    return this;
  }

  async submitOrder(order: SubmitOrder, signal?: AbortSignal): Promise<OrderStatusReport> {
    this.submitted.push(order);
    if (this.mode === 'down') {
      // Refused before anything was sent: not ambiguous, the order cannot exist at the broker.
      throw new BrokerUnavailableError('connect ECONNREFUSED', false);
    }
    if (this.mode === 'lose-answer') this.lost.push(this.broker().submitOrder(order));
    if (this.mode === 'hang' || this.mode === 'lose-answer') {
      return new Promise<never>((_, reject) => {
        signal?.addEventListener(
          'abort',
          () => reject(new BrokerUnavailableError('request aborted after sending', true)),
          { once: true },
        );
      });
    }
    return this.broker().submitOrder(order, signal);
  }

  getOrder(clientOrderId: ClientOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    return this.broker().getOrder(clientOrderId, signal);
  }

  getOrderByBrokerId(id: BrokerOrderId, signal?: AbortSignal): Promise<OrderStatusReport | undefined> {
    return this.broker().getOrderByBrokerId(id, signal);
  }

  cancelOrder(ref: OrderRef): Promise<void> {
    return this.broker().cancelOrder(ref);
  }

  listFillsSince(since: Date): Promise<FillReport[]> {
    return this.broker().listFillsSince(since);
  }

  getClock(): Promise<MarketClock> {
    return this.broker().getClock();
  }

  listOpenOrders(): Promise<OrderStatusReport[]> {
    return this.broker().listOpenOrders();
  }

  getPositions(): Promise<PositionReport[]> {
    return this.broker().getPositions();
  }

  getAccount(): Promise<AccountReport> {
    return this.broker().getAccount();
  }

  private broker(): BrokerPort {
    if (!this.inner) throw new Error('ScriptedBroker.over(inner) was not called');
    return this.inner;
  }
}
