import {
  CreateSecretCommand,
  DescribeSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStoreError } from '../../src/secrets/secret-store.ts';
import { AlpacaSecret, AppSecret, readSecret } from '../../src/secrets/secret-values.ts';
import { createSecretsManagerStore, SecretsManagerStore } from '../../src/secrets/secrets-manager-store.ts';
import { SecretsManagerFake } from '../support/secrets-manager-fake.ts';

const TTL = 60_000;
const MAX_STALE = 120_000;
const APP_ID = 'pinebridge/app';
const APP_VALUE = { webhookPassphrase: 'pass-Kq81-phrase', apiToken: 'token-Vb27-abcdefghijkl' };

/** A store over the fake through the real SDK client, a clock the test moves, and the warnings it logged. */
function storeOver(fake: SecretsManagerFake) {
  let at = 1_700_000_000_000;
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: fake.endpoint,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret-access-key' },
    // One attempt, so an injected fault reaches the store instead of being retried by the SDK.
    maxAttempts: 1,
  });
  const store = new SecretsManagerStore(client, {
    ttlMs: TTL,
    maxStaleMs: MAX_STALE,
    now: () => at,
    log: { warn: (message, fields) => warnings.push({ message, fields }) },
  });
  return {
    client,
    store,
    warnings,
    advance: (ms: number) => {
      at += ms;
    },
  };
}

/** Every string an error shows: its text and its causes'. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error; at = at.cause) {
    parts.push(String(at), at.stack ?? '', JSON.stringify(at));
  }
  return parts.join('\n');
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('SecretsManagerStore against the Secrets Manager fake', () => {
  let fake: SecretsManagerFake;
  let s: ReturnType<typeof storeOver>;

  beforeEach(async () => {
    fake = await SecretsManagerFake.start();
    s = storeOver(fake);
  });
  afterEach(async () => {
    s.client.destroy();
    await fake.close();
  });

  it('reads a secret stored as a JSON object', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));

    // Act
    const value = await s.store.getJson(APP_ID);

    // Assess
    expect(value).toEqual(APP_VALUE);
    expect(fake.calls).toEqual([{ operation: 'GetSecretValue', secretId: APP_ID }]);
  });

  it('asks Secrets Manager once for many reads within the TTL, concurrent ones included', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));

    // Act
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => s.store.getJson(APP_ID)));
    s.advance(TTL - 1);
    const later = await Promise.all([s.store.getJson(APP_ID), s.store.getJson(APP_ID)]);

    // Assess
    expect(new Set([...concurrent, ...later].map((value) => JSON.stringify(value)))).toEqual(
      new Set([JSON.stringify(APP_VALUE)]),
    );
    expect(fake.count('GetSecretValue', APP_ID)).toBe(1);
  });

  it('hands each caller its own copy, so a caller cannot change the cached value', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));

    // Act: the first read is answered by the request, the second from the cache
    const first = await s.store.getJson(APP_ID);
    if (first) first.apiToken = 'changed by the first caller';
    const second = await s.store.getJson(APP_ID);
    if (second) second.apiToken = 'changed by the second caller';
    const third = await s.store.getJson(APP_ID);

    // Assess
    expect(third).toEqual(APP_VALUE);
    expect(fake.count('GetSecretValue')).toBe(1);
  });

  it('reads the secret again once the TTL has passed and sees a rotated value', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    await s.store.getJson(APP_ID);
    const rotated = { ...APP_VALUE, apiToken: 'token-rotated-0123456789' };
    fake.seed(APP_ID, JSON.stringify(rotated));

    // Act
    const beforeExpiry = await s.store.getJson(APP_ID);
    s.advance(TTL);
    const afterExpiry = await s.store.getJson(APP_ID);

    // Assess
    expect(beforeExpiry).toEqual(APP_VALUE);
    expect(afterExpiry).toEqual(rotated);
    expect(fake.count('GetSecretValue', APP_ID)).toBe(2);
  });

  it('writes a new version, and later reads return it from the cache and from Secrets Manager', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    await s.store.getJson(APP_ID);
    const written = { ...APP_VALUE, webhookPassphrase: 'new-passphrase-77' };

    // Act
    await s.store.putJson(APP_ID, written);
    const cached = await s.store.getJson(APP_ID);
    const fresh = storeOver(fake);
    const fromService = await fresh.store.getJson(APP_ID);
    fresh.client.destroy();
    const described = await s.client.send(new DescribeSecretCommand({ SecretId: APP_ID }));

    // Assess
    expect(cached).toEqual(written);
    expect(fromService).toEqual(written);
    expect(fake.count('PutSecretValue', APP_ID)).toBe(1);
    expect(fake.count('GetSecretValue', APP_ID)).toBe(2);
    const stages = Object.values(described.VersionIdsToStages ?? {});
    expect(stages).toHaveLength(2);
    expect(stages).toEqual(expect.arrayContaining([['AWSCURRENT'], ['AWSPREVIOUS']]));
  });

  it('keeps a written value when a read that began before the write answers after it', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    const written = { ...APP_VALUE, apiToken: 'token-written-0123456789' };
    const release = fake.hold('GetSecretValue');
    const slowRead = s.store.getJson(APP_ID);
    await expect.poll(() => fake.count('GetSecretValue')).toBe(1);

    // Act
    await s.store.putJson(APP_ID, written);
    const afterWrite = await s.store.getJson(APP_ID);
    release();
    const slow = await slowRead;
    const afterSlowRead = await s.store.getJson(APP_ID);

    // Assess
    expect(slow).toEqual(APP_VALUE);
    expect(afterWrite).toEqual(written);
    expect(afterSlowRead).toEqual(written);
    expect(fake.count('GetSecretValue')).toBe(1);
  });

  it('answers undefined for a secret that does not exist or has no value yet', async () => {
    // Prepare
    await s.client.send(new CreateSecretCommand({ Name: 'pinebridge/empty' }));

    // Act
    const missing = await s.store.getJson('pinebridge/missing');
    const empty = await s.store.getJson('pinebridge/empty');

    // Assess
    expect(missing).toBeUndefined();
    expect(empty).toBeUndefined();
    expect(fake.count('GetSecretValue')).toBe(2);
    expect(fake.count('CreateSecret', 'pinebridge/empty')).toBe(1);
  });

  it('refuses a secret that is not a JSON object, naming the secret but not quoting it', async () => {
    // Prepare
    fake.seed('pinebridge/broken', 'Xy93-not-json');
    fake.seed('pinebridge/array', '["Zw58-hunter2"]');

    // Act
    const broken = await rejectionOf(s.store.getJson('pinebridge/broken'));
    const array = await rejectionOf(s.store.getJson('pinebridge/array'));

    // Assess
    expect(broken).toBeInstanceOf(SecretStoreError);
    expect(String(broken)).toContain('pinebridge/broken');
    expect(errorText(broken)).not.toContain('Xy93');
    expect(array).toBeInstanceOf(SecretStoreError);
    expect(String(array)).toContain('pinebridge/array');
    expect(errorText(array)).not.toContain('Zw58');
  });

  it('refuses to write a secret that does not exist', async () => {
    // Act
    const error = await rejectionOf(s.store.putJson('pinebridge/missing', { a: 'value-Qp12' }));

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(String(error)).toContain('pinebridge/missing');
    expect(errorText(error)).not.toContain('Qp12');
  });

  it('serves the cached value with a warning while a refresh fails, until maxStaleMs past the TTL', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    await s.store.getJson(APP_ID);

    // Act
    s.advance(TTL + MAX_STALE - 1);
    fake.failNext();
    const stale = await s.store.getJson(APP_ID);
    s.advance(1);
    fake.failNext();
    const tooOld = await rejectionOf(s.store.getJson(APP_ID));
    const recovered = await s.store.getJson(APP_ID);

    // Assess
    expect(stale).toEqual(APP_VALUE);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]?.fields).toMatchObject({ secretId: APP_ID, ageMs: TTL + MAX_STALE - 1 });
    expect(JSON.stringify(s.warnings)).not.toContain(APP_VALUE.apiToken);
    expect(tooOld).toBeInstanceOf(SecretStoreError);
    expect(String(tooOld)).toContain(APP_ID);
    expect(recovered).toEqual(APP_VALUE);
    expect(fake.count('GetSecretValue')).toBe(4);
  });

  it('fails a first read that Secrets Manager cannot answer, with nothing stale to serve', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    fake.failNext();

    // Act
    const error = await rejectionOf(s.store.getJson(APP_ID));

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(s.warnings).toEqual([]);
  });

  it('does not hide a value that turned unusable behind the cached one', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    await s.store.getJson(APP_ID);
    fake.seed(APP_ID, '{ truncated');
    s.advance(TTL);

    // Act
    const error = await rejectionOf(s.store.getJson(APP_ID));

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(s.warnings).toEqual([]);
  });

  it('reads through the factory, which builds its own client for the endpoint', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify(APP_VALUE));
    const store = createSecretsManagerStore({ region: 'us-east-1', endpoint: fake.endpoint });

    // Act
    const value = await store.getJson(APP_ID);
    store.destroy();

    // Assess
    expect(value).toEqual(APP_VALUE);
  });
});

describe('readSecret over Secrets Manager', () => {
  let fake: SecretsManagerFake;
  let s: ReturnType<typeof storeOver>;

  beforeEach(async () => {
    fake = await SecretsManagerFake.start();
    s = storeOver(fake);
  });
  afterEach(async () => {
    s.client.destroy();
    await fake.close();
  });

  it('parses a complete secret with its schema', async () => {
    // Prepare
    fake.seed('pinebridge/alpaca', JSON.stringify({ keyId: 'PKTEST', secretKey: 'sk-Mn45' }));

    // Act
    const alpaca = await readSecret(s.store, 'pinebridge/alpaca', AlpacaSecret);

    // Assess
    expect(alpaca).toEqual({ keyId: 'PKTEST', secretKey: 'sk-Mn45' });
  });

  it('names missing and invalid keys, never their values', async () => {
    // Prepare
    fake.seed(APP_ID, JSON.stringify({ webhookPassphrase: 'Jr6' }));

    // Act
    const error = await rejectionOf(readSecret(s.store, APP_ID, AppSecret));

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
    const message = String(error);
    expect(message).toContain(APP_ID);
    expect(message).toContain('missing keys: apiToken');
    expect(message).toContain('invalid keys: webhookPassphrase (too_small)');
    expect(errorText(error)).not.toContain('Jr6');
  });

  it('reports a secret that does not exist by its id', async () => {
    // Act
    const error = await rejectionOf(readSecret(s.store, 'pinebridge/nowhere', AppSecret));

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(String(error)).toContain('pinebridge/nowhere');
  });
});
