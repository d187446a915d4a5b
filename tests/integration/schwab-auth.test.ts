import { afterEach, describe, expect, it } from 'vitest';
import { BrokerRejectedError, BrokerUnavailableError } from '../../src/brokers/errors.ts';
import type { SchwabLogger } from '../../src/brokers/schwab/schwab-auth.ts';
import { SchwabBroker } from '../../src/brokers/schwab/schwab-broker.ts';
import { completeLogin } from '../../src/brokers/schwab/schwab-login.ts';
import { SecretSchwabTokenStore } from '../../src/brokers/schwab/schwab-token-store.ts';
import { SchwabTokens } from '../../src/brokers/schwab/schwab-tokens.ts';
import type { SecretStore } from '../../src/secrets/secret-store.ts';
import { MemoryTokenStore, type SchwabRig, startRig } from '../support/schwab-fake/harness.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A tiny SecretStore: JSON secrets in a map (the Secrets Manager store is tested on its own). */
class InMemorySecretStore implements SecretStore {
  readonly values = new Map<string, Record<string, unknown>>();
  async getJson(secretId: string): Promise<Record<string, unknown> | undefined> {
    return this.values.get(secretId);
  }
  async putJson(secretId: string, value: Record<string, unknown>): Promise<void> {
    this.values.set(secretId, structuredClone(value));
  }
}

/** A logger that keeps its warnings. */
function recordingLogger(): SchwabLogger & { warnings: Array<Record<string, unknown> | undefined> } {
  const warnings: Array<Record<string, unknown> | undefined> = [];
  return { warnings, info: () => {}, warn: (_message, fields) => warnings.push(fields), error: () => {} };
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

let rig: SchwabRig;
afterEach(async () => {
  await rig?.fake.close();
});

describe('Schwab access tokens against the fake OAuth endpoint', () => {
  it('refreshes a token about to expire and writes the rotated tokens back into the secret', async () => {
    const secrets = new InMemorySecretStore();
    secrets.values.set('pinebridge/schwab', {
      appKey: 'k',
      appSecret: 's',
      callbackUrl: 'https://127.0.0.1',
      accountNumber: '1',
    });
    rig = await startRig({ store: new SecretSchwabTokenStore(secrets, 'pinebridge/schwab') });
    const login = SchwabTokens.parse(secrets.values.get('pinebridge/schwab')?.tokens);
    rig.clock.advance(20 * MINUTE);
    await rig.broker.getPositions();
    expect(rig.fake.oauth.grants).toEqual(['authorization_code']);
    rig.clock.advance(9 * MINUTE + 30_000);
    await rig.broker.getPositions();
    expect(rig.fake.oauth.grants).toEqual(['authorization_code', 'refresh_token']);
    const { tokens, ...others } = secrets.values.get('pinebridge/schwab') ?? {};
    expect(others).toEqual({
      appKey: 'k',
      appSecret: 's',
      callbackUrl: 'https://127.0.0.1',
      accountNumber: '1',
    });
    const rotated = SchwabTokens.parse(tokens);
    expect(rotated.accessToken).not.toBe(login.accessToken);
    expect(rotated.refreshToken).not.toBe(login.refreshToken);
    expect(rotated.refreshTokenExpiresAt).toBe(login.refreshTokenExpiresAt);
  });

  it('refreshes once and sends again when Schwab refuses the access token', async () => {
    rig = await startRig();
    await rig.broker.getPositions();
    rig.fake.oauth.revokeAccessTokens();
    expect(await rig.broker.getPositions()).toEqual([]);
    expect(rig.fake.oauth.grants).toEqual(['authorization_code', 'refresh_token']);
    expect(rig.fake.requestsTo('/accounts/HASH-1', 'GET')).toHaveLength(3);
  });

  it('gives up with SCHWAB_UNAUTHORIZED when Schwab refuses a fresh token too', async () => {
    rig = await startRig();
    rig.fake.inject(
      { kind: 'status', status: 401, body: { message: 'app not approved' } },
      { path: 'HASH-1', times: 2 },
    );
    const error = await failure(rig.broker.getPositions());
    expect(error).toBeInstanceOf(BrokerRejectedError);
    expect(error).toMatchObject({ code: 'SCHWAB_UNAUTHORIZED' });
  });

  it('lets concurrent callers share one refresh', async () => {
    rig = await startRig();
    await rig.broker.getPositions();
    rig.clock.advance(31 * MINUTE);
    await Promise.all([1, 2, 3, 4, 5].map(() => rig.broker.getPositions()));
    expect(rig.fake.oauth.grants.filter((grant) => grant === 'refresh_token')).toHaveLength(1);
  });

  it('uses tokens another process refreshed instead of its own rotated-out refresh token', async () => {
    rig = await startRig();
    const other = rig.another();
    await other.getPositions();
    rig.clock.advance(31 * MINUTE);
    await rig.broker.getPositions();
    expect(await other.getPositions()).toEqual([]);
    expect(rig.fake.oauth.grants.filter((grant) => grant === 'refresh_token')).toHaveLength(1);
  });

  it('warns, at most once an hour, when the refresh token has less than a day left', async () => {
    const log = recordingLogger();
    const told: number[] = [];
    rig = await startRig({ broker: { log, onRefreshTokenExpiring: (hours) => void told.push(hours) } });
    rig.clock.advance(6 * DAY);
    await rig.broker.getPositions();
    expect(told).toEqual([]);
    rig.clock.advance(HOUR + 30 * MINUTE);
    await rig.broker.getPositions();
    await rig.broker.getPositions();
    expect(told).toEqual([22.5]);
    expect(log.warnings).toEqual([expect.objectContaining({ hoursLeft: 22.5 })]);
    rig.clock.advance(HOUR);
    await rig.broker.getPositions();
    expect(told).toEqual([22.5, 21.5]);
  });

  it('asks for a new login once the refresh token has expired, and works again after one', async () => {
    rig = await startRig();
    rig.clock.advance(7 * DAY + MINUTE);
    const error = await failure(rig.broker.getPositions());
    expect(error).toBeInstanceOf(BrokerRejectedError);
    expect(error).toMatchObject({
      code: 'SCHWAB_REAUTHORIZE',
      message: expect.stringContaining('schwab:login'),
    });
    expect(rig.fake.oauth.grants).toEqual(['authorization_code']);
    const redirectUrl = `https://127.0.0.1/?code=${encodeURIComponent(rig.fake.oauth.issueCode())}`;
    const settings = { baseUrl: rig.fake.baseUrl, ...rig.fake.app };
    await completeLogin({ redirectUrl, settings, store: rig.store, now: rig.clock.now });
    expect(await rig.broker.getPositions()).toEqual([]);
  });

  it.each([
    ['an unknown refresh token (invalid_grant)', undefined],
    [
      'Schwab’s refresh_token_authentication_error',
      { error: 'unsupported_token_type', error_description: 'refresh_token_authentication_error' },
    ],
  ])('asks for a new login when Schwab refuses %s', async (_what, body) => {
    const store = new MemoryTokenStore();
    rig = await startRig({ store });
    const tokens = store.tokens;
    if (tokens === undefined) throw new Error('the rig logs in');
    store.tokens = { ...tokens, refreshToken: body === undefined ? 'rt-unknown' : tokens.refreshToken };
    if (body !== undefined)
      rig.fake.inject({ kind: 'status', status: 400, body }, { path: '/v1/oauth/token' });
    rig.clock.advance(31 * MINUTE);
    const error = await failure(rig.another().getPositions());
    expect(error).toMatchObject({
      code: 'SCHWAB_REAUTHORIZE',
      message: expect.stringContaining(body?.error ?? 'invalid_grant'),
    });
  });

  it('reports an unreachable token endpoint as unavailable, not as a lost login', async () => {
    rig = await startRig();
    rig.fake.inject({ kind: 'status', status: 500 }, { path: '/v1/oauth/token' });
    rig.clock.advance(31 * MINUTE);
    const error = await failure(rig.broker.getPositions());
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error).toMatchObject({ ambiguous: false });
    expect(await rig.broker.getPositions()).toEqual([]);
  });

  it('asks for a login when no tokens are stored', async () => {
    rig = await startRig();
    const settings = { baseUrl: rig.fake.baseUrl, ...rig.fake.app };
    const broker = new SchwabBroker(settings, new MemoryTokenStore(), rig.memory, { now: rig.clock.now });
    expect(await failure(broker.getAccount())).toMatchObject({ code: 'SCHWAB_REAUTHORIZE' });
  });
});
