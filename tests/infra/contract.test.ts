import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionEnvironment } from '../../infra/deployed-config.ts';
import { parseSettings } from '../../infra/settings.ts';
import { loadConfig } from '../../src/config.ts';
import {
  DEPLOY_ENV,
  METRIC_DIMENSION,
  METRIC_SERVICE,
  SECRET_READ_ACTIONS,
  SECRET_WRITE_ACTIONS,
  TABLE_ACTIONS,
} from '../../src/deploy-contract.ts';
import { ROOT } from './synth.ts';

/** Every .ts file under `dir` (relative to the repository root), with its text. */
function sources(dir: string): Array<{ path: string; text: string }> {
  const root = new URL(`${dir}/`, ROOT).pathname;
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ path: `${dir}/${file}`, text: readFileSync(join(root, file), 'utf8') }));
}

/** The code the Lambda functions run: src without the local runner. */
const LAMBDA_SOURCES = sources('src').filter((file) => !file.path.startsWith('src/local/'));

describe('the contract between the stack and the code', () => {
  it('sets environment variables that loadConfig reads into the settings the stack means', () => {
    // Prepare
    const settings = parseSettings({ logLevel: 'warn', allowIps: '203.0.113.7' });
    const env = functionEnvironment(
      settings,
      { broker: 'schwab', configFile: undefined, allowedIps: ['52.89.214.238', '203.0.113.7'] },
      { tableName: 'the-table', secrets: { app: 'app-secret', schwab: 'schwab-secret' } },
    );

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.dynamodb.tableName).toBe('the-table');
    expect(config.broker.kind).toBe('schwab');
    expect(config.secrets.appSecretId).toBe('app-secret');
    expect(config.broker.schwab.secretId).toBe('schwab-secret');
    expect(config.webhook.ipAllowlist).toEqual({ enabled: true, ips: ['52.89.214.238', '203.0.113.7'] });
    expect(config.log.level).toBe('warn');
    expect(Object.keys(env).every((name) => Object.values(DEPLOY_ENV).some((known) => known === name))).toBe(
      true,
    );
  });

  it('reads the Alpaca secret id from the variable the stack sets', () => {
    const env = functionEnvironment(
      parseSettings({}),
      { broker: 'alpaca', configFile: undefined, allowedIps: [] },
      { tableName: 'the-table', secrets: { app: 'app-secret', alpaca: 'alpaca-secret' } },
    );
    expect(loadConfig(env).broker.alpaca.secretId).toBe('alpaca-secret');
  });

  it('names the metric services as the Lambda entries do', () => {
    for (const [file, service] of [
      ['functions/webhook.ts', METRIC_SERVICE.webhook],
      ['functions/reconcile.ts', METRIC_SERVICE.reconcile],
    ] as const) {
      expect(readFileSync(new URL(file, ROOT), 'utf8')).toContain(`new EmfMetrics('${service}')`);
    }
  });

  it('names exactly the dimensions the code records metrics with', () => {
    // Prepare: each metrics.record(METRIC.x, value, unit, dimensions) call, and where its dimensions are
    // a variable, the object literal that variable holds.
    const used = new Set<string>();
    for (const { text } of LAMBDA_SOURCES) {
      for (const call of text.matchAll(/\.record\(\s*METRIC\.\w+,([^;]*?)\);/g)) {
        const dimensions = call[1]?.split(',').slice(2).join(',') ?? '';
        const literal = /\{([^}]*)\}/.exec(dimensions)?.[1];
        const variable = /^\s*(\w+)\s*$/.exec(dimensions)?.[1];
        const source =
          literal ?? (variable ? new RegExp(`const ${variable} = \\{([^}]*)\\}`).exec(text)?.[1] : '');
        for (const key of (source ?? '').matchAll(/(\w+):/g)) used.add(key[1] ?? '');
      }
    }

    // Assess: Powertools adds `service` itself.
    const { service, ...recorded } = METRIC_DIMENSION;
    expect(service).toBe('service');
    expect([...used].sort()).toEqual(Object.values(recorded).sort());
  });

  it('grants exactly the DynamoDB calls the Lambda code makes', () => {
    // Prepare: table.ts's CreateTable, DescribeTable and UpdateTimeToLive serve ensureTable, which only the
    // local runner and the tests call.
    const asAction: Record<string, string> = {
      Get: 'GetItem',
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      Query: 'Query',
      Scan: 'Scan',
      BatchGet: 'BatchGetItem',
      BatchWrite: 'BatchWriteItem',
      TransactGet: 'TransactGetItems',
      TransactWrite: 'TransactWriteItems',
    };
    const commands = new Set<string>();
    for (const { path, text } of LAMBDA_SOURCES) {
      if (!/@aws-sdk\/(lib|client)-dynamodb/.test(text)) continue;
      for (const match of text.matchAll(/new (\w+?)(?:Item)?Command\(/g)) {
        if (path === 'src/store/table.ts') continue;
        commands.add(match[1] ?? '');
      }
    }
    expect(
      LAMBDA_SOURCES.filter((file) => /\bensureTable\(/.test(file.text)).map((file) => file.path),
    ).toEqual(['src/store/table.ts']);

    // Assess
    expect([...commands].map((command) => `dynamodb:${asAction[command] ?? command}`).sort()).toEqual(
      [...TABLE_ACTIONS].sort(),
    );
  });

  it('grants exactly the Secrets Manager calls the code makes', () => {
    const calls = new Set(
      LAMBDA_SOURCES.flatMap(({ text }) =>
        /@aws-sdk\/client-secrets-manager/.test(text)
          ? [...text.matchAll(/new (\w+)Command\(/g)].map((m) => m[1])
          : [],
      ),
    );
    expect([...calls].map((call) => `secretsmanager:${call}`).sort()).toEqual(
      [...SECRET_READ_ACTIONS, ...SECRET_WRITE_ACTIONS].sort(),
    );
  });
});
