import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileSchwabTokenStore,
  readSchwabSecret,
  SecretSchwabTokenStore,
} from '../../src/brokers/schwab/schwab-token-store.ts';
import {
  needsRefresh,
  refreshTokenExpired,
  refreshTokenExpiring,
  refreshTokenHoursLeft,
  SchwabTokens,
  tokensFromLogin,
  tokensFromRefresh,
} from '../../src/brokers/schwab/schwab-tokens.ts';
import type { SecretStore } from '../../src/secrets/secret-store.ts';

const LOGIN = new Date('2026-11-23T15:00:00.000Z');
const HOUR = 3_600_000;

function loggedIn(): SchwabTokens {
  const tokens = tokensFromLogin({ access_token: 'at-1', refresh_token: 'rt-1', expires_in: 1800 }, LOGIN);
  if (tokens === undefined) throw new Error('a login with a refresh token gives tokens');
  return tokens;
}

describe('Schwab tokens', () => {
  it('starts the refresh token’s 7 days at the login and the access token’s 30 minutes with it', () => {
    expect(loggedIn()).toEqual({
      accessToken: 'at-1',
      accessTokenExpiresAt: '2026-11-23T15:30:00.000Z',
      refreshToken: 'rt-1',
      refreshTokenIssuedAt: '2026-11-23T15:00:00.000Z',
      refreshTokenExpiresAt: '2026-11-30T15:00:00.000Z',
    });
  });

  it('gives no tokens for a login answer without a refresh token', () => {
    expect(tokensFromLogin({ access_token: 'at-1', expires_in: 1800 }, LOGIN)).toBeUndefined();
  });

  it('keeps the login’s expiry when a refresh rotates the refresh token', () => {
    const later = new Date(LOGIN.getTime() + 3 * 24 * HOUR);
    const next = tokensFromRefresh(
      loggedIn(),
      { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 1800 },
      later,
    );
    expect(next).toMatchObject({
      accessToken: 'at-2',
      accessTokenExpiresAt: new Date(later.getTime() + 1800_000).toISOString(),
      refreshToken: 'rt-2',
      refreshTokenExpiresAt: '2026-11-30T15:00:00.000Z',
    });
  });

  it('keeps the refresh token when a refresh answer carries none', () => {
    const next = tokensFromRefresh(loggedIn(), { access_token: 'at-2', expires_in: 1800 }, LOGIN);
    expect(next.refreshToken).toBe('rt-1');
  });

  it('refreshes an access token once it is within a minute of expiry', () => {
    const tokens = loggedIn();
    expect(needsRefresh(tokens, new Date('2026-11-23T15:28:59.000Z'))).toBe(false);
    expect(needsRefresh(tokens, new Date('2026-11-23T15:29:00.000Z'))).toBe(true);
    expect(needsRefresh(tokens, new Date('2026-11-23T16:00:00.000Z'))).toBe(true);
  });

  it('counts the refresh token’s hours left and calls it expiring under 24 and expired at 0', () => {
    const tokens = loggedIn();
    const at = (hoursBeforeExpiry: number) =>
      new Date(Date.parse(tokens.refreshTokenExpiresAt) - hoursBeforeExpiry * HOUR);
    expect(refreshTokenHoursLeft(tokens, at(30))).toBe(30);
    expect(refreshTokenExpiring(tokens, at(24))).toBe(false);
    expect(refreshTokenExpiring(tokens, at(23.5))).toBe(true);
    expect(refreshTokenExpired(tokens, at(0.01))).toBe(false);
    expect(refreshTokenExpired(tokens, at(0))).toBe(true);
    expect(refreshTokenExpiring(tokens, at(-1))).toBe(false);
  });

  it('refuses a token set without its refresh token’s expiry', () => {
    const { refreshTokenExpiresAt: _dropped, ...partial } = loggedIn();
    expect(SchwabTokens.safeParse(partial).success).toBe(false);
  });
});

class MemorySecrets implements SecretStore {
  readonly values = new Map<string, Record<string, unknown>>();
  async getJson(secretId: string): Promise<Record<string, unknown> | undefined> {
    return this.values.get(secretId);
  }
  async putJson(secretId: string, value: Record<string, unknown>): Promise<void> {
    this.values.set(secretId, value);
  }
}

describe('Schwab token stores', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes tokens to a file only its owner can read, and reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'schwab-tokens-'));
    dirs.push(dir);
    const store = new FileSchwabTokenStore(join(dir, 'data'));
    await store.save(loggedIn());
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual(loggedIn());
  });

  it('has no tokens when the file is missing or is not a token set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'schwab-tokens-'));
    dirs.push(dir);
    const store = new FileSchwabTokenStore(dir);
    expect(await store.load()).toBeUndefined();
    await writeFile(store.path, '{"accessToken": 1}');
    expect(await store.load()).toBeUndefined();
    await writeFile(store.path, 'not json');
    expect(await store.load()).toBeUndefined();
    expect(await readFile(store.path, 'utf8')).toBe('not json');
  });

  it('writes tokens under "tokens" in the secret and keeps its other keys', async () => {
    const secrets = new MemorySecrets();
    secrets.values.set('pb/schwab', {
      appKey: 'k',
      appSecret: 's',
      callbackUrl: 'https://127.0.0.1',
      note: 'x',
    });
    const store = new SecretSchwabTokenStore(secrets, 'pb/schwab');
    expect(await store.load()).toBeUndefined();
    await store.save(loggedIn());
    expect(secrets.values.get('pb/schwab')).toEqual({
      appKey: 'k',
      appSecret: 's',
      callbackUrl: 'https://127.0.0.1',
      note: 'x',
      tokens: loggedIn(),
    });
    expect(await store.load()).toEqual(loggedIn());
  });

  it('reads the app settings from the secret and names what is missing', async () => {
    const secrets = new MemorySecrets();
    secrets.values.set('ok', { appKey: 'k', appSecret: 's' });
    secrets.values.set('bad', { appKey: 'k' });
    expect(await readSchwabSecret(secrets, 'ok')).toMatchObject({
      appKey: 'k',
      callbackUrl: 'https://127.0.0.1',
    });
    await expect(readSchwabSecret(secrets, 'bad')).rejects.toThrow(/appSecret/);
  });
});
