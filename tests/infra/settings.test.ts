import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveDeployedConfig } from '../../infra/deployed-config.ts';
import { parseSettings, SETTING_KEYS, SettingsError } from '../../infra/settings.ts';
import { ConfigError } from '../../src/config.ts';
import { cdkJson, fixture, ROOT } from './synth.ts';

/** A configuration file with `content`, in a fresh directory. */
function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pinebridge-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The problems `run` throws, or [] when it does not. */
function problemsOf(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('deployment settings', () => {
  it("keep cdk.json's defaults and the code's defaults the same", () => {
    const context = cdkJson().context;
    const fromCdkJson = Object.fromEntries(
      SETTING_KEYS.filter((key) => key in context).map((key) => [key, context[key]]),
    );
    expect(parseSettings(fromCdkJson)).toEqual(parseSettings({}));
    expect(Object.keys(fromCdkJson).length).toBeGreaterThanOrEqual(8);
  });

  it('default to a retained, paper-broker-ready stack reconciled every minute', () => {
    expect(parseSettings({})).toEqual({
      stackName: 'Pinebridge',
      throwaway: false,
      reconcileRateMinutes: 1,
      webhookConcurrency: 10,
      logRetentionDays: 30,
      logLevel: 'info',
      allowIps: [],
      inFlightAlarmMinutes: 5,
      deniedAlarmThreshold: 10,
    });
  });

  it('read -c text the way cdk.json values read', () => {
    expect(
      parseSettings({ throwaway: 'true', reconcileRateMinutes: '5', allowIps: '203.0.113.7, 2001:db8::1' }),
    ).toMatchObject({ throwaway: true, reconcileRateMinutes: 5, allowIps: ['203.0.113.7', '2001:db8::1'] });
  });

  it('report every invalid setting at once', () => {
    const problems = problemsOf(() =>
      parseSettings({
        throwaway: 'yes',
        broker: 'ibkr',
        reconcileRateMinutes: '0',
        logRetentionDays: '31',
        appSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app',
        allowIps: 'not-an-ip',
      }),
    );
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(
      [
        'allowIps.0',
        'appSecretArn',
        'broker',
        'logRetentionDays',
        'reconcileRateMinutes',
        'throwaway',
      ].sort(),
    );
  });
});

describe('the deployed configuration', () => {
  it('defaults to the paper broker with one account and the allowlist on', () => {
    const deployed = resolveDeployedConfig(parseSettings({}));
    expect(deployed).toMatchObject({
      broker: 'paper',
      accounts: [{ accountId: 'default', broker: 'paper' }],
      configFile: undefined,
    });
    expect(deployed.allowedIps).toHaveLength(4);
  });

  it('takes the broker from the configuration file unless -c broker says otherwise', () => {
    const file = configFile({ broker: { kind: 'alpaca' } });
    expect(resolveDeployedConfig(parseSettings({ config: file })).broker).toBe('alpaca');
    expect(resolveDeployedConfig(parseSettings({ config: file, broker: 'schwab' })).broker).toBe('schwab');
  });

  it('finds a configuration file relative to the directory cdk runs in', () => {
    const deployed = resolveDeployedConfig(
      parseSettings({ config: 'tests/infra/fixtures/accounts.json' }),
      ROOT.pathname,
    );
    expect(deployed.configFile).toBe(fixture('accounts.json'));
    expect(deployed.accounts.map((account) => [account.accountId, account.broker, account.secretId])).toEqual(
      [
        ['main', 'paper', undefined],
        ['swing', 'schwab', 'pinebridge/swing-schwab'],
        ['crypto', 'alpaca', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:crypto-alpaca-AbC123'],
        ['sim', 'paper', undefined],
      ],
    );
  });

  it('refuses secrets in the configuration file, and extra broker accounts without a secret', () => {
    const file = configFile({
      webhook: { passphrase: 'a-passphrase-in-a-file' },
      accounts: {
        swing: { broker: { kind: 'schwab', schwab: { appKey: 'k', appSecret: 's' } } },
        crypto: { broker: { kind: 'alpaca', alpaca: { keyId: 'k', secretKey: 's' } } },
      },
    });
    const problems = problemsOf(() => resolveDeployedConfig(parseSettings({ config: file })));
    expect(problems).toEqual([
      'webhook.passphrase and api.token: put them in the app secret, not in the configuration file',
      'accounts.swing.broker: name a secret (secretId) instead of keys in the configuration file',
      'accounts.swing.broker.schwab.secretId: required when deployed (its tokens are written back to it)',
      'accounts.crypto.broker: name a secret (secretId) instead of keys in the configuration file',
      'accounts.crypto.broker.alpaca.secretId: required when deployed',
    ]);
  });

  it("fails the synth on a configuration the functions would refuse, listing the loader's problems", () => {
    const file = configFile({ risk: { maxOpenPositions: -1 }, sizing: { mode: 'everything' } });
    const problems = problemsOf(() => resolveDeployedConfig(parseSettings({ config: file })));
    expect(problems.some((problem) => problem.startsWith('risk.maxOpenPositions'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('sizing.mode'))).toBe(true);
  });

  it('keeps the allowlist on even when the file turns it off', () => {
    const file = configFile({ webhook: { ipAllowlist: { enabled: false } } });
    expect(problemsOf(() => resolveDeployedConfig(parseSettings({ config: file })))).toEqual([]);
  });
});

describe('the project files cdk needs', () => {
  const pkg = z
    .object({
      scripts: z.record(z.string(), z.string()),
      devDependencies: z.record(z.string(), z.string()),
    })
    .parse(JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')));

  it('run the app with tsx into cdk.out, which git ignores', () => {
    expect(cdkJson()).toMatchObject({ app: 'npx tsx infra/app.ts', output: 'cdk.out' });
    expect(readFileSync(new URL('.gitignore', ROOT), 'utf8').split('\n')).toContain('cdk.out/');
  });

  it('pin a 2.x cdk CLI that reads aws-cdk-lib 2 assemblies, and the esbuild that bundles', () => {
    expect(pkg.devDependencies['aws-cdk']).toMatch(/^2\.\d+\.\d+$/);
    expect(pkg.devDependencies['aws-cdk-lib']).toMatch(/^2\.\d+\.\d+$/);
    expect(pkg.devDependencies.esbuild).toMatch(/^0\.\d+\.\d+$/);
    expect(pkg.scripts.synth).toMatch(/^cdk synth/);
    expect(pkg.scripts.deploy).toMatch(/^cdk deploy/);
  });
});
