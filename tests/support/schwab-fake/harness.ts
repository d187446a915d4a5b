/**
 * Wiring for Schwab tests: the fake, a shared manual clock, a logged-in token store, an in-memory
 * order memory, and the adapter pointed at the fake.
 */
import { SchwabBroker, type SchwabBrokerOptions } from '../../../src/brokers/schwab/schwab-broker.ts';
import { completeLogin } from '../../../src/brokers/schwab/schwab-login.ts';
import type { RecalledOrder, SchwabOrderMemory } from '../../../src/brokers/schwab/schwab-memory.ts';
import type { SchwabTokenStore } from '../../../src/brokers/schwab/schwab-token-store.ts';
import type { SchwabTokens } from '../../../src/brokers/schwab/schwab-tokens.ts';
import { type BrokerOrderId, brokerOrderId, type ClientOrderId } from '../../../src/domain/ids.ts';
import { ManualClock } from './manual-clock.ts';
import { SchwabFake, type SchwabFakeOptions } from './schwab-fake.ts';

/** The instant Schwab tests start at: 10:00 in New York on Monday 2026-11-23. */
export const START = '2026-11-23T15:00:00.000Z';

/** Tokens kept in memory. */
export class MemoryTokenStore implements SchwabTokenStore {
  tokens: SchwabTokens | undefined;
  saves = 0;

  async load(): Promise<SchwabTokens | undefined> {
    return this.tokens;
  }

  async save(tokens: SchwabTokens): Promise<void> {
    this.saves += 1;
    this.tokens = tokens;
  }
}

/** Our order records, kept in memory: what the order table gives the adapter in production. */
export class MemoryOrderMemory implements SchwabOrderMemory {
  readonly records = new Map<ClientOrderId, RecalledOrder>();

  /** Records an order as sent at `submittedAt`. */
  remember(clientOrderId: ClientOrderId, order: RecalledOrder): void {
    this.records.set(clientOrderId, order);
  }

  /** Records the Schwab id we learned for an order. */
  learn(clientOrderId: ClientOrderId, orderId: string | undefined): void {
    const record = this.records.get(clientOrderId);
    if (record === undefined || orderId === undefined)
      throw new Error(`nothing to learn for ${clientOrderId}`);
    this.records.set(clientOrderId, { ...record, brokerOrderId: brokerOrderId(orderId) });
  }

  async recall(clientOrderId: ClientOrderId): Promise<RecalledOrder | undefined> {
    return this.records.get(clientOrderId);
  }

  async claimedBrokerOrderIds(since: Date): Promise<ReadonlyMap<BrokerOrderId, ClientOrderId>> {
    const claims = new Map<BrokerOrderId, ClientOrderId>();
    for (const [clientOrderId, record] of this.records) {
      if (record.brokerOrderId !== undefined && Date.parse(record.submittedAt) >= since.getTime()) {
        claims.set(record.brokerOrderId, clientOrderId);
      }
    }
    return claims;
  }
}

/** A fake, a clock, a login's tokens in `store`, and an adapter over them. */
export interface SchwabRig {
  fake: SchwabFake;
  clock: ManualClock;
  store: SchwabTokenStore;
  memory: MemoryOrderMemory;
  broker: SchwabBroker;
  /** Another adapter on the same fake, store and memory (another process). */
  another(options?: SchwabBrokerOptions): SchwabBroker;
}

/** Starts a fake, logs in through it, and builds the adapter. */
export async function startRig(
  options: { store?: SchwabTokenStore; broker?: SchwabBrokerOptions; fake?: SchwabFakeOptions } = {},
): Promise<SchwabRig> {
  const clock = new ManualClock(START);
  const fake = await SchwabFake.start({ now: clock.now, ...options.fake });
  const store = options.store ?? new MemoryTokenStore();
  const settings = { baseUrl: fake.baseUrl, ...fake.app };
  const redirectUrl = `${fake.app.callbackUrl}/?code=${encodeURIComponent(fake.oauth.issueCode())}&session=s1`;
  await completeLogin({ redirectUrl, settings, store, now: clock.now });
  const memory = new MemoryOrderMemory();
  const build = (extra: SchwabBrokerOptions = {}) =>
    new SchwabBroker(settings, store, memory, { now: clock.now, ...options.broker, ...extra });
  return { fake, clock, store, memory, broker: build(), another: build };
}
