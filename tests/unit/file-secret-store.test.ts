import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSecretId, FileSecretStore } from '../../src/secrets/file-secret-store.ts';
import { SecretStoreError } from '../../src/secrets/secret-store.ts';

describe('FileSecretStore', () => {
  let root: string;
  let dir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pinebridge-secrets-'));
    dir = join(root, 'secrets');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns what was written, also to a new store over the same directory', async () => {
    // Prepare
    const value = { webhookPassphrase: 'pass-phrase-1', nested: { list: [1, 2] } };

    // Act
    await new FileSecretStore(dir).putJson('pinebridge/app', value);
    const read = await new FileSecretStore(dir).getJson('pinebridge/app');

    // Assess
    expect(read).toEqual(value);
  });

  it('answers undefined for a secret that was never written', async () => {
    // Act
    const read = await new FileSecretStore(dir).getJson('pinebridge/none');

    // Assess
    expect(read).toBeUndefined();
  });

  it('writes the file with mode 0600', async () => {
    // Prepare
    const store = new FileSecretStore(dir);

    // Act
    await store.putJson('pinebridge/app', { apiToken: 'token' });

    // Assess
    const info = await stat(store.pathOf('pinebridge/app'));
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('overwrites by renaming a new file into place and leaves no temporary file behind', async () => {
    // Prepare
    const store = new FileSecretStore(dir);
    await store.putJson('pinebridge/app', { version: 1 });
    const before = await stat(store.pathOf('pinebridge/app'));

    // Act
    await store.putJson('pinebridge/app', { version: 2 });

    // Assess
    const after = await stat(store.pathOf('pinebridge/app'));
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect(await store.getJson('pinebridge/app')).toEqual({ version: 2 });
    expect(await readdir(dir)).toEqual([`${encodeSecretId('pinebridge/app')}.json`]);
  });

  it('holds one whole value after many concurrent writes', async () => {
    // Prepare
    const store = new FileSecretStore(dir);
    const values = Array.from({ length: 20 }, (_, i) => ({ version: i, padding: 'x'.repeat(10_000) }));

    // Act
    await Promise.all(values.map((value) => store.putJson('pinebridge/app', value)));

    // Assess
    const read = await store.getJson('pinebridge/app');
    expect(values).toContainEqual(read);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('keeps every id inside the directory, and distinct ids in distinct files', async () => {
    // Prepare
    const store = new FileSecretStore(dir);
    const ids = ['a/b', 'a_b', '../escape', 'arn:aws:secretsmanager:us-east-1:1:secret:x', '.hidden'];

    // Act
    for (const [i, id] of ids.entries()) await store.putJson(id, { i });

    // Assess
    for (const [i, id] of ids.entries()) {
      expect(dirname(store.pathOf(id))).toBe(dir);
      expect(await store.getJson(id)).toEqual({ i });
    }
    const files = await readdir(dir);
    expect(files).toHaveLength(ids.length);
    expect(files.filter((file) => file.startsWith('.'))).toEqual([]);
    expect(await readdir(root)).toEqual(['secrets']);
  });

  it('refuses a file that is not a JSON object, naming the secret but not quoting it', async () => {
    // Prepare
    const store = new FileSecretStore(dir);
    await store.putJson('pinebridge/app', { placeholder: true });
    await writeFile(store.pathOf('pinebridge/app'), 'Rt64-not-json');

    // Act
    const error = await store.getJson('pinebridge/app').then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(String(error)).toContain('pinebridge/app');
    expect(String(error)).not.toContain('Rt64');
    expect(error instanceof Error ? error.cause : 'no error').toBeUndefined();
  });

  it('refuses an empty secret id', async () => {
    // Act
    const error = await new FileSecretStore(dir).getJson('').then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    // Assess
    expect(error).toBeInstanceOf(SecretStoreError);
  });
});
