/**
 * Start-up from Secrets Manager, end to end and without a mocked client: bootFromEnv (and the Lambda
 * webhook entry) with APP_SECRET_ID, broker secret ids and SECRETS_MANAGER_ENDPOINT pointing at the
 * Secrets Manager fake, which the AWS SDK talks to over HTTP. The brokers behind are the Alpaca fake
 * (it answers 401 unless given its own keys) and the Schwab fake (its token endpoint checks the app
 * key and secret, its API the access token). Every test reads its own secret ids, so the fake's
 * request counts belong to one start-up each.
 */
import { inspect } from 'node:util';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { bootFromEnv } from '../../src/app/boot.ts';
import { createApp } from '../../src/app/create-app.ts';
import { completeLogin } from '../../src/brokers/schwab/schwab-login.ts';
import { SecretSchwabTokenStore } from '../../src/brokers/schwab/schwab-token-store.ts';
import { createSecretsManagerStore } from '../../src/secrets/secrets-manager-store.ts';
import { type AlpacaFake, startAlpacaFake } from '../support/alpaca-fake/index.ts';
import { WebhookAnswer } from '../support/app-harness.ts';
import { webhookEvent } from '../support/lambda-events.ts';
import { MemoryTokenStore } from '../support/schwab-fake/harness.ts';
import { ManualClock } from '../support/schwab-fake/manual-clock.ts';
import { SchwabFake } from '../support/schwab-fake/schwab-fake.ts';
import { SecretsManagerFake } from '../support/secrets-manager-fake.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';

/** The values the secrets hold: none of them is known to the environment. */
const APP = { webhookPassphrase: 'sm-passphrase-4e1b9c', apiToken: 'sm-api-token-7d2f0a5c9e81b364' };
const ALPACA = { keyId: 'AK-FROM-SECRET-0001', secretKey: 'sk-from-secret-9b8a7c6d5e' };
/** The webhook passphrase and API token from the environment, for start-ups whose secret is a broker's. */
const ENV_SECRETS = { WEBHOOK_PASSPHRASE: 'env-passphrase-0c4d', API_TOKEN: 'env-api-token-5a6b7c8d9e0f' };

const AccountAnswer = z.object({
  account: z.looseObject({
    broker: z.string(),
    brokerAccount: z.looseObject({ equity: z.number().optional(), error: z.string().optional() }),
  }),
});

/** A secret's JSON text. */
function json(value: Record<string, unknown>): string {
  return JSON.stringify(value);
}

/** The app as bootFromEnv builds it from `env`, with helpers to call its webhook and API. */
async function boot(env: Record<string, string>) {
  const deps = await bootFromEnv(env, () => '198.51.100.7');
  const app: Hono = createApp(deps);
  const webhook = async (fields: Record<string, unknown>) => {
    const response = await app.request('/webhook', {
      method: 'POST',
      body: JSON.stringify({ time: new Date().toISOString(), ...fields }),
      headers: { 'content-type': 'application/json' },
    });
    return { status: response.status, answer: WebhookAnswer.parse(await response.json()) };
  };
  const api = async (path: string, token: string, init: RequestInit = {}) => {
    const response = await app.request(`/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}` },
    });
    const body: unknown = await response.json();
    return { status: response.status, body };
  };
  return { deps, app, webhook, api };
}

/** The error `work` failed with; fails the test when it did not fail. */
async function failureOf(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`failed with a non-Error: ${String(error)}`);
  }
  throw new Error('expected start-up to fail, and it started');
}

/** Sets environment variables; the returned function puts back what was there before. */
function setEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

describe('start-up with secrets in Secrets Manager', () => {
  let secrets: SecretsManagerFake;
  let alpaca: AlpacaFake;
  let table: TestTable;
  /** What every start-up here shares: the table, the fakes, quiet logs, no market hours. */
  let base: Record<string, string>;

  beforeAll(async () => {
    secrets = await SecretsManagerFake.start();
    alpaca = await startAlpacaFake({ ...ALPACA, prices: { AAPL: 190, MSFT: 410, AMD: 120 } });
    table = await createTestTable('boot-secrets');
    base = {
      DYNAMODB_ENDPOINT: table.endpoint,
      DYNAMODB_TABLE: table.tableName,
      AWS_REGION: 'us-east-1',
      SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
      APCA_API_BASE_URL: alpaca.url,
      PINEBRIDGE__LOG__LEVEL: 'silent',
      PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false',
    };
  });

  afterAll(async () => {
    table?.close();
    await alpaca?.close();
    await secrets?.close();
  });

  describe('an Alpaca account with its keys and the app secrets in Secrets Manager', () => {
    let started: Awaited<ReturnType<typeof boot>>;
    beforeAll(async () => {
      secrets.seed('main/app', json(APP));
      secrets.seed('main/alpaca', json(ALPACA));
      started = await boot({
        ...base,
        APP_SECRET_ID: 'main/app',
        BROKER: 'alpaca',
        PINEBRIDGE__BROKER__ALPACA__SECRET_ID: 'main/alpaca',
      });
    });

    it("accepts an alert carrying the app secret's passphrase and places it at Alpaca with the secret's keys", async () => {
      // Act
      const { status, answer } = await started.webhook({
        passphrase: APP.webhookPassphrase,
        symbol: 'AAPL',
        action: 'buy',
        quantity: 2,
      });

      // Assess
      expect(status).toBe(200);
      expect(answer).toMatchObject({ status: 'accepted' });
      const atAlpaca = alpaca.orders.filter((order) => order.client_order_id === answer.orderId);
      expect(atAlpaca.map((order) => [order.symbol, order.qty, order.status])).toEqual([
        ['AAPL', '2', 'filled'],
      ]);
    });

    it('refuses an alert carrying another passphrase', async () => {
      // Act
      const { status, answer } = await started.webhook({
        passphrase: 'not-the-secret-passphrase',
        symbol: 'MSFT',
        action: 'buy',
        quantity: 1,
      });

      // Assess
      expect(status).toBe(401);
      expect(answer.status).toBe('unauthorized');
      expect(alpaca.orders.filter((order) => order.symbol === 'MSFT')).toEqual([]);
    });

    it("answers the API with the app secret's token and refuses another", async () => {
      // Act
      const withSecret = await started.api('/account', APP.apiToken);
      const withOther = await started.api('/account', 'another-token-0123456789abcdef');

      // Assess
      expect([withSecret.status, withOther.status]).toEqual([200, 401]);
      const { account } = AccountAnswer.parse(withSecret.body);
      expect(account.broker).toBe('alpaca');
      expect(account.brokerAccount.error).toBeUndefined();
      expect(account.brokerAccount.equity).toBeGreaterThan(0);
    });

    it('reads each secret once however many requests follow', async () => {
      // Prepare
      const before = [
        secrets.count('GetSecretValue', 'main/app'),
        secrets.count('GetSecretValue', 'main/alpaca'),
      ];

      // Act
      for (const quantity of [1, 2, 3]) {
        await started.webhook({ passphrase: APP.webhookPassphrase, symbol: 'AMD', action: 'buy', quantity });
        await started.api('/positions', APP.apiToken);
      }
      await started.api('/reconcile', APP.apiToken, { method: 'POST' });

      // Assess
      expect(before).toEqual([1, 1]);
      expect(secrets.count('GetSecretValue', 'main/app')).toBe(1);
      expect(secrets.count('GetSecretValue', 'main/alpaca')).toBe(1);
      expect(secrets.count('PutSecretValue')).toBe(0);
      expect(alpaca.orders.filter((order) => order.symbol === 'AMD')).toHaveLength(3);
    });
  });

  describe('the Lambda webhook entry', () => {
    it('reads the app and Alpaca secrets at a cold start and answers with them', async () => {
      // Prepare
      secrets.seed('lambda/app', json(APP));
      secrets.seed('lambda/alpaca', json(ALPACA));
      const restore = setEnv({
        ...base,
        APP_SECRET_ID: 'lambda/app',
        PINEBRIDGE__BROKER__KIND: 'alpaca',
        PINEBRIDGE__BROKER__ALPACA__SECRET_ID: 'lambda/alpaca',
      });
      let handler: typeof import('../../functions/webhook.ts')['handler'];
      try {
        vi.resetModules();
        ({ handler } = await import('../../functions/webhook.ts'));
      } finally {
        restore();
      }
      const alert = (passphrase: string, quantity: number) =>
        webhookEvent('function-url', {
          body: JSON.stringify({ passphrase, symbol: 'MSFT', action: 'buy', quantity }),
          sourceIp: '198.51.100.30',
        });

      // Act
      const right = await handler(alert(APP.webhookPassphrase, 3));
      const wrong = await handler(alert('not-the-secret-passphrase', 4));

      // Assess
      expect([right.statusCode, wrong.statusCode]).toEqual([200, 401]);
      const accepted = WebhookAnswer.parse(JSON.parse(right.body));
      expect(alpaca.order(accepted.orderId ?? '')).toMatchObject({ symbol: 'MSFT', qty: '3' });
      expect(secrets.count('GetSecretValue', 'lambda/app')).toBe(1);
      expect(secrets.count('GetSecretValue', 'lambda/alpaca')).toBe(1);
    });
  });

  describe('WEBHOOK_PASSPHRASE in the environment', () => {
    it('wins over the app secret, whose API token still applies', async () => {
      // Prepare
      secrets.seed('env-wins/app', json(APP));
      secrets.seed('env-wins/alpaca', json(ALPACA));
      const started = await boot({
        ...base,
        APP_SECRET_ID: 'env-wins/app',
        WEBHOOK_PASSPHRASE: 'env-passphrase-31a7',
        BROKER: 'alpaca',
        PINEBRIDGE__BROKER__ALPACA__SECRET_ID: 'env-wins/alpaca',
      });
      const alert = { symbol: 'AAPL', action: 'buy', quantity: 1 };

      // Act
      const withEnv = await started.webhook({ ...alert, passphrase: 'env-passphrase-31a7' });
      const withSecret = await started.webhook({ ...alert, passphrase: APP.webhookPassphrase, id: 'second' });
      const api = await started.api('/account', APP.apiToken);

      // Assess
      expect([withEnv.status, withSecret.status]).toEqual([200, 401]);
      expect(withEnv.answer.status).toBe('accepted');
      expect(api.status).toBe(200);
    });
  });

  describe('a secret that is missing or lacks a key', () => {
    const cases: Array<{
      name: string;
      seed?: Record<string, unknown>;
      env: (id: string) => Record<string, string>;
      names: string[];
    }> = [
      {
        name: 'an app secret that does not exist',
        env: (id) => ({ APP_SECRET_ID: id }),
        names: [],
      },
      {
        name: 'an app secret without apiToken',
        seed: { webhookPassphrase: 'value-passphrase-55aa' },
        env: (id) => ({ APP_SECRET_ID: id }),
        names: ['apiToken'],
      },
      {
        name: 'an app secret whose apiToken is too short',
        seed: { webhookPassphrase: 'value-passphrase-66bb', apiToken: 'value-short' },
        env: (id) => ({ APP_SECRET_ID: id }),
        names: ['apiToken'],
      },
      {
        name: 'an Alpaca secret that does not exist',
        env: (id) => ({ ...ENV_SECRETS, BROKER: 'alpaca', PINEBRIDGE__BROKER__ALPACA__SECRET_ID: id }),
        names: [],
      },
      {
        name: 'an Alpaca secret without secretKey',
        seed: { keyId: 'value-key-id-77cc' },
        env: (id) => ({ ...ENV_SECRETS, BROKER: 'alpaca', PINEBRIDGE__BROKER__ALPACA__SECRET_ID: id }),
        names: ['secretKey'],
      },
      {
        name: 'a Schwab secret that does not exist',
        env: (id) => ({ ...ENV_SECRETS, BROKER: 'schwab', PINEBRIDGE__BROKER__SCHWAB__SECRET_ID: id }),
        names: [],
      },
      {
        name: 'a Schwab secret without appSecret',
        seed: { appKey: 'value-app-key-88dd', callbackUrl: 'https://127.0.0.1' },
        env: (id) => ({ ...ENV_SECRETS, BROKER: 'schwab', PINEBRIDGE__BROKER__SCHWAB__SECRET_ID: id }),
        names: ['appSecret'],
      },
    ];

    it.each(cases.map((entry, index) => ({ ...entry, id: `broken-${index}/secret` })))(
      'fails start-up on $name, naming the secret and the key but no value',
      async ({ id, seed, env, names }) => {
        // Prepare
        if (seed) secrets.seed(id, json(seed));

        // Act
        const error = await failureOf(bootFromEnv({ ...base, ...env(id) }, () => undefined));

        // Assess
        const shown = inspect(error, { depth: 10 });
        expect(error.message).toContain(id);
        for (const key of names) expect(error.message).toContain(key);
        for (const value of Object.values(seed ?? {})) expect(shown).not.toContain(String(value));
        expect(shown).not.toContain(ENV_SECRETS.WEBHOOK_PASSPHRASE);
      },
    );
  });

  describe('a Schwab account with its credentials and tokens in a secret', () => {
    const SCHWAB_ID = 'schwab/main';
    const APP_KEY = 'schwab-app-key-from-secret';
    const APP_SECRET = 'schwab-app-secret-from-secret';
    let schwab: SchwabFake;
    let clock: ManualClock;
    let loggedIn: { accessToken: string; refreshToken: string };
    let started: Awaited<ReturnType<typeof boot>>;

    beforeAll(async () => {
      // A person logged in once; the tokens went into the secret beside the app's credentials.
      clock = new ManualClock(new Date());
      schwab = await SchwabFake.start({ appKey: APP_KEY, appSecret: APP_SECRET, now: clock.now });
      const redirectUrl = `${schwab.app.callbackUrl}/?code=${encodeURIComponent(schwab.oauth.issueCode())}`;
      const tokens = await completeLogin({
        redirectUrl,
        settings: { baseUrl: schwab.baseUrl, ...schwab.app },
        store: new MemoryTokenStore(),
      });
      loggedIn = tokens;
      secrets.seed(
        SCHWAB_ID,
        json({
          appKey: APP_KEY,
          appSecret: APP_SECRET,
          callbackUrl: schwab.app.callbackUrl,
          owner: 'desk-7',
          tokens,
        }),
      );
      started = await boot({
        ...base,
        ...ENV_SECRETS,
        BROKER: 'schwab',
        PINEBRIDGE__BROKER__SCHWAB__SECRET_ID: SCHWAB_ID,
        PINEBRIDGE__BROKER__SCHWAB__BASE_URL: schwab.baseUrl,
      });
    });

    afterAll(async () => {
      await schwab?.close();
    });

    it("reads the Schwab account with the secret's tokens, refreshing nothing", async () => {
      // Act
      const { status, body } = await started.api('/account', ENV_SECRETS.API_TOKEN);

      // Assess
      expect(status).toBe(200);
      const { account } = AccountAnswer.parse(body);
      expect(account.broker).toBe('schwab');
      expect(account.brokerAccount.error).toBeUndefined();
      expect(account.brokerAccount.equity).toBeGreaterThan(0);
      expect(schwab.oauth.grants).toEqual(['authorization_code']);
      // Two reads: the app credentials at start-up, and the tokens, which are always read afresh.
      expect(secrets.count('GetSecretValue', SCHWAB_ID)).toBe(2);
      expect(secrets.count('PutSecretValue', SCHWAB_ID)).toBe(0);
    });

    it('refreshes with the secret’s app credentials when the access token expires and writes the new tokens back', async () => {
      // Prepare: the fake's access token lives 30 minutes
      clock.advance(31 * 60_000);

      // Act
      const { status, body } = await started.api('/account', ENV_SECRETS.API_TOKEN);

      // Assess
      expect(status).toBe(200);
      expect(AccountAnswer.parse(body).account.brokerAccount.error).toBeUndefined();
      expect(schwab.oauth.grants).toEqual(['authorization_code', 'refresh_token']);
      expect(secrets.count('PutSecretValue', SCHWAB_ID)).toBe(1);
      const reader = createSecretsManagerStore({ region: 'us-east-1', endpoint: secrets.endpoint });
      try {
        const stored = await reader.getJson(SCHWAB_ID);
        expect(stored).toMatchObject({
          appKey: APP_KEY,
          appSecret: APP_SECRET,
          callbackUrl: schwab.app.callbackUrl,
          owner: 'desk-7',
          tokens: { refreshTokenIssuedAt: expect.any(String) },
        });
        const tokens = z.object({ accessToken: z.string(), refreshToken: z.string() }).parse(stored?.tokens);
        expect(tokens.accessToken).not.toBe(loggedIn.accessToken);
        expect(tokens.refreshToken).not.toBe(loggedIn.refreshToken);
      } finally {
        reader.destroy();
      }
    });
  });

  describe('two containers sharing one Schwab secret', () => {
    const SHARED_ID = 'schwab/shared';
    let schwab: SchwabFake;
    let clock: ManualClock;
    let first: Awaited<ReturnType<typeof boot>>;
    let second: Awaited<ReturnType<typeof boot>>;

    beforeAll(async () => {
      clock = new ManualClock(new Date());
      schwab = await SchwabFake.start({ now: clock.now });
      const redirectUrl = `${schwab.app.callbackUrl}/?code=${encodeURIComponent(schwab.oauth.issueCode())}`;
      const tokens = await completeLogin({
        redirectUrl,
        settings: { baseUrl: schwab.baseUrl, ...schwab.app },
        store: new MemoryTokenStore(),
      });
      secrets.seed(SHARED_ID, json({ ...schwab.app, tokens }));
      const env = {
        ...base,
        ...ENV_SECRETS,
        BROKER: 'schwab',
        PINEBRIDGE__BROKER__SCHWAB__SECRET_ID: SHARED_ID,
        PINEBRIDGE__BROKER__SCHWAB__BASE_URL: schwab.baseUrl,
      };
      first = await boot(env);
      second = await boot(env);
    });

    afterAll(async () => {
      await schwab?.close();
    });

    it('lets the second use the tokens the first refreshed and wrote back, instead of the rotated-out ones', async () => {
      // Prepare: the access token both started with expires; the first container refreshes it
      clock.advance(31 * 60_000);
      const refreshed = await first.api('/account', ENV_SECRETS.API_TOKEN);

      // Act
      const { status, body } = await second.api('/account', ENV_SECRETS.API_TOKEN);

      // Assess
      expect(AccountAnswer.parse(refreshed.body).account.brokerAccount.error).toBeUndefined();
      expect(secrets.count('PutSecretValue', SHARED_ID)).toBe(1);
      expect(status).toBe(200);
      expect(AccountAnswer.parse(body).account.brokerAccount.error).toBeUndefined();
      expect(schwab.oauth.grants).toEqual(['authorization_code', 'refresh_token']);
    });
  });

  describe('a person logging in again while a container runs', () => {
    const RELOGIN_ID = 'schwab/relogin';
    let schwab: SchwabFake;
    let clock: ManualClock;
    let started: Awaited<ReturnType<typeof boot>>;

    beforeAll(async () => {
      clock = new ManualClock(new Date());
      schwab = await SchwabFake.start({ now: clock.now });
      const tokens = await completeLogin({
        redirectUrl: `${schwab.app.callbackUrl}/?code=${encodeURIComponent(schwab.oauth.issueCode())}`,
        settings: { baseUrl: schwab.baseUrl, ...schwab.app },
        store: new MemoryTokenStore(),
      });
      secrets.seed(RELOGIN_ID, json({ ...schwab.app, tokens }));
      started = await boot({
        ...base,
        ...ENV_SECRETS,
        BROKER: 'schwab',
        PINEBRIDGE__BROKER__SCHWAB__SECRET_ID: RELOGIN_ID,
        PINEBRIDGE__BROKER__SCHWAB__BASE_URL: schwab.baseUrl,
      });
    });

    afterAll(async () => {
      await schwab?.close();
    });

    it('keeps the new login in the secret and trades on it once the old access token expires', async () => {
      // Prepare: the running container's access token expires, then `npm run schwab:login` with
      // SCHWAB_SECRET_ID writes a new login into the secret
      clock.advance(31 * 60_000);
      const writer = createSecretsManagerStore({ region: 'us-east-1', endpoint: secrets.endpoint });
      let relogin: { refreshToken: string };
      try {
        relogin = await completeLogin({
          redirectUrl: `${schwab.app.callbackUrl}/?code=${encodeURIComponent(schwab.oauth.issueCode())}`,
          settings: { baseUrl: schwab.baseUrl, ...schwab.app },
          store: new SecretSchwabTokenStore(writer, RELOGIN_ID),
        });
      } finally {
        writer.destroy();
      }

      // Act
      const { status, body } = await started.api('/account', ENV_SECRETS.API_TOKEN);

      // Assess
      expect(status).toBe(200);
      expect(AccountAnswer.parse(body).account.brokerAccount.error).toBeUndefined();
      const reader = createSecretsManagerStore({ region: 'us-east-1', endpoint: secrets.endpoint });
      try {
        const stored = z
          .object({ tokens: z.object({ refreshToken: z.string() }) })
          .parse(await reader.getJson(RELOGIN_ID));
        expect(stored.tokens.refreshToken).toBe(relogin.refreshToken);
      } finally {
        reader.destroy();
      }
      expect(schwab.oauth.grants).toEqual(['authorization_code', 'authorization_code']);
    });
  });
});
