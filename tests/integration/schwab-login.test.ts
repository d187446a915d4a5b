import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerRejectedError } from '../../src/brokers/errors.ts';
import { completeLogin, SchwabLoginError } from '../../src/brokers/schwab/schwab-login.ts';
import { authorizeUrl } from '../../src/brokers/schwab/schwab-oauth.ts';
import { FileSchwabTokenStore } from '../../src/brokers/schwab/schwab-token-store.ts';
import { MemoryTokenStore, START } from '../support/schwab-fake/harness.ts';
import { ManualClock } from '../support/schwab-fake/manual-clock.ts';
import { SchwabFake } from '../support/schwab-fake/schwab-fake.ts';

let fake: SchwabFake;
const dirs: string[] = [];
afterEach(async () => {
  await fake?.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function settingsOf(running: SchwabFake) {
  return { baseUrl: running.baseUrl, ...running.app };
}

/** The address Schwab sends the browser to: the code URL-encoded (its '@' as %40), and a session. */
function landedOn(code: string): string {
  return `https://127.0.0.1/?code=${encodeURIComponent(code)}&session=8c1b5a1e-0000-4000-8000-000000000000`;
}

describe('schwab:login against the fake OAuth endpoint', () => {
  it('builds the authorize URL from the app key and callback URL', () => {
    const url = new URL(authorizeUrl({ appKey: 'key 1', appSecret: 's', callbackUrl: 'https://127.0.0.1' }));
    expect(`${url.origin}${url.pathname}`).toBe('https://api.schwabapi.com/v1/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'key 1',
      redirect_uri: 'https://127.0.0.1',
    });
  });

  it('exchanges the pasted redirect’s code for tokens and saves them in a file only its owner reads', async () => {
    const clock = new ManualClock(START);
    fake = await SchwabFake.start({ now: clock.now });
    const dir = await mkdtemp(join(tmpdir(), 'schwab-login-'));
    dirs.push(dir);
    const store = new FileSchwabTokenStore(dir);
    const code = fake.oauth.issueCode();
    expect(code.endsWith('@')).toBe(true);
    const tokens = await completeLogin({
      redirectUrl: landedOn(code),
      settings: settingsOf(fake),
      store,
      now: clock.now,
    });
    expect(tokens).toMatchObject({
      accessTokenExpiresAt: '2026-11-23T15:30:00.000Z',
      refreshTokenIssuedAt: START,
      refreshTokenExpiresAt: '2026-11-30T15:00:00.000Z',
    });
    expect(await store.load()).toEqual(tokens);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(fake.oauth.grants).toEqual(['authorization_code']);
  });

  it('refuses a code used once already, asking for a new login', async () => {
    fake = await SchwabFake.start();
    const store = new MemoryTokenStore();
    const redirectUrl = landedOn(fake.oauth.issueCode());
    await completeLogin({ redirectUrl, settings: settingsOf(fake), store });
    const again = completeLogin({ redirectUrl, settings: settingsOf(fake), store });
    await expect(again).rejects.toBeInstanceOf(BrokerRejectedError);
    await expect(again).rejects.toMatchObject({ code: 'SCHWAB_REAUTHORIZE' });
  });

  it('refuses a wrong app secret at the token endpoint', async () => {
    fake = await SchwabFake.start();
    const settings = { ...settingsOf(fake), appSecret: 'wrong' };
    const login = completeLogin({
      redirectUrl: landedOn(fake.oauth.issueCode()),
      settings,
      store: new MemoryTokenStore(),
    });
    await expect(login).rejects.toMatchObject({
      code: 'SCHWAB_REAUTHORIZE',
      message: expect.stringContaining('invalid_client'),
    });
  });

  it.each([
    ['not a url', /not a URL/],
    ['https://127.0.0.1/?session=1', /no code/],
    ['https://127.0.0.1/?error=access_denied', /access_denied/],
  ])('explains what is wrong with the pasted %s without calling Schwab', async (redirectUrl, message) => {
    fake = await SchwabFake.start();
    const store = new MemoryTokenStore();
    const login = completeLogin({ redirectUrl, settings: settingsOf(fake), store });
    await expect(login).rejects.toBeInstanceOf(SchwabLoginError);
    await expect(login).rejects.toThrow(message);
    expect(fake.requests).toEqual([]);
    expect(store.saves).toBe(0);
  });
});
