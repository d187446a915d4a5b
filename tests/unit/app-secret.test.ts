import { describe, expect, it } from 'vitest';
import { withAppSecret } from '../../src/app/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { type SecretStore, SecretStoreError } from '../../src/secrets/secret-store.ts';

/** A SecretStore over a map, counting reads. */
function memoryStore(secrets: Record<string, Record<string, unknown>>): SecretStore & { reads: number } {
  const store = {
    reads: 0,
    getJson: async (secretId: string) => {
      store.reads += 1;
      return secrets[secretId];
    },
    putJson: async () => undefined,
  };
  return store;
}

const SECRET_ID = 'pinebridge/app';

describe('withAppSecret', () => {
  it('takes the passphrase and token from the app secret when the environment sets neither', async () => {
    // Prepare
    const store = memoryStore({
      [SECRET_ID]: { webhookPassphrase: 'from-secret-1', apiToken: 'token-from-secret-0123' },
    });
    const config = loadConfig({ APP_SECRET_ID: SECRET_ID });

    // Act
    const resolved = await withAppSecret(config, store);

    // Assess
    expect(resolved.webhook.passphrase).toBe('from-secret-1');
    expect(resolved.api.token).toBe('token-from-secret-0123');
  });

  it('needs only what the environment lacks: a secret with just the token is enough beside WEBHOOK_PASSPHRASE', async () => {
    // Prepare
    const store = memoryStore({ [SECRET_ID]: { apiToken: 'token-from-secret-0123' } });
    const config = loadConfig({ APP_SECRET_ID: SECRET_ID, WEBHOOK_PASSPHRASE: 'from-env-12' });

    // Act
    const resolved = await withAppSecret(config, store);

    // Assess
    expect(resolved.webhook.passphrase).toBe('from-env-12');
    expect(resolved.api.token).toBe('token-from-secret-0123');
  });

  it('does not read the secret when the environment sets both', async () => {
    // Prepare
    const store = memoryStore({});
    const config = loadConfig({
      APP_SECRET_ID: SECRET_ID,
      WEBHOOK_PASSPHRASE: 'from-env-12',
      API_TOKEN: 'token-from-env-0123456',
    });

    // Act
    const resolved = await withAppSecret(config, store);

    // Assess
    expect(resolved.api.token).toBe('token-from-env-0123456');
    expect(store.reads).toBe(0);
  });

  it('names the missing key and the secret, not its values', async () => {
    // Prepare
    const store = memoryStore({ [SECRET_ID]: { webhookPassphrase: 'from-secret-1' } });
    const config = loadConfig({ APP_SECRET_ID: SECRET_ID });

    // Act
    const failure = await withAppSecret(config, store).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SecretStoreError);
    const message = String((failure as Error).message);
    expect(message).toContain(SECRET_ID);
    expect(message).toContain('apiToken');
    expect(message).not.toContain('from-secret-1');
  });
});
