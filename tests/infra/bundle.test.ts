import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEPLOYED_CONFIG_PATH } from '../../infra/deployed-config.ts';
import { ESBUILD_OPTIONS, LAMBDA_ENTRIES } from '../../infra/esbuild-options.ts';
import { METRICS_NAMESPACE } from '../../src/app/emf-metrics.ts';
import { METRIC } from '../../src/app/metrics.ts';
import { DEPLOY_ENV, METRIC_DIMENSION, METRIC_SERVICE } from '../../src/deploy-contract.ts';
import { API_TOKEN, PASSPHRASE, TRADINGVIEW_IP, WebhookAnswer } from '../support/app-harness.ts';
import { webhookEvent } from '../support/lambda-events.ts';
import { SecretsManagerFake } from '../support/secrets-manager-fake.ts';
import { createTestTable, type TestTable } from '../support/test-table.ts';
import { fixture, type Synthesized, synthesize } from './synth.ts';

const run = promisify(execFile);

/** Imports a bundle in a fresh Node process, as a Lambda container would, and calls its handler with each event. */
const INVOKE = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventsFile, outFile] = process.argv.slice(1);
const { handler } = await import(pathToFileURL(bundle).href);
const results = [];
for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) results.push(await handler(event, {}));
writeFileSync(outFile, JSON.stringify(results));
`;

const LambdaResult = z.object({ statusCode: z.number(), body: z.string() });
const EmfLine = z.looseObject({
  _aws: z.object({
    CloudWatchMetrics: z.array(
      z.object({
        Namespace: z.string(),
        Dimensions: z.array(z.array(z.string())),
        Metrics: z.array(z.object({ Name: z.string() })),
      }),
    ),
  }),
});
type EmfLine = z.infer<typeof EmfLine>;

interface Invocation {
  results: unknown[];
  emf: EmfLine[];
}

describe('the bundled functions, as deployed', () => {
  let synth: Synthesized;
  let table: TestTable;
  let secrets: SecretsManagerFake;
  beforeAll(async () => {
    synth = synthesize({ bundle: true, context: { config: fixture('paper.json') } });
    table = await createTestTable('bundle');
    secrets = await SecretsManagerFake.start();
    secrets.seed('pinebridge/app', JSON.stringify({ webhookPassphrase: PASSPHRASE, apiToken: API_TOKEN }));
  });
  afterAll(async () => {
    table.close();
    await secrets.close();
  });

  /** The asset directory of the function whose construct path ends with `name/Resource`. */
  function assetDir(name: 'Webhook' | 'Reconcile'): string {
    const fn = Object.values(synth.template.findResources('AWS::Lambda::Function')).find((resource) =>
      String(resource.Metadata['aws:cdk:path']).endsWith(`Functions/${name}/Resource`),
    );
    return join(synth.assembly.directory, String(fn?.Metadata['aws:asset:path']));
  }

  /** The function's environment from the template, pointed at the local table, secrets and shipped config. */
  function deployedEnv(name: 'Webhook' | 'Reconcile'): Record<string, string> {
    const fn = Object.values(synth.template.findResources('AWS::Lambda::Function')).find((resource) =>
      String(resource.Metadata['aws:cdk:path']).endsWith(`Functions/${name}/Resource`),
    );
    const variables: Record<string, unknown> = fn?.Properties.Environment.Variables;
    const env = Object.fromEntries(
      Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    expect(env[DEPLOY_ENV.configFile]).toBe(DEPLOYED_CONFIG_PATH);
    return {
      ...env,
      [DEPLOY_ENV.tableName]: table.tableName,
      [DEPLOY_ENV.appSecretId]: 'pinebridge/app',
      [DEPLOY_ENV.configFile]: join(assetDir(name), 'pinebridge.config.json'),
      DYNAMODB_ENDPOINT: table.endpoint,
      SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
      AWS_REGION: 'us-east-1',
      PATH: process.env.PATH ?? '',
    };
  }

  async function invoke(name: 'Webhook' | 'Reconcile', events: unknown[]): Promise<Invocation> {
    const dir = mkdtempSync(join(tmpdir(), 'pinebridge-invoke-'));
    writeFileSync(join(dir, 'events.json'), JSON.stringify(events));
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        INVOKE,
        join(assetDir(name), 'index.mjs'),
        join(dir, 'events.json'),
        join(dir, 'out.json'),
      ],
      { env: deployedEnv(name), timeout: 20_000 },
    );
    const emf = stdout
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => EmfLine.parse(JSON.parse(line)));
    return {
      results: z.array(z.unknown()).parse(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))),
      emf,
    };
  }

  it.each([
    ['Webhook', LAMBDA_ENTRIES.webhook],
    ['Reconcile', LAMBDA_ENTRIES.reconcile],
  ] as const)(
    'ships exactly what esbuild makes of functions/ with the shared settings (%s)',
    async (name, entry) => {
      // Act
      const built = await build({
        ...ESBUILD_OPTIONS,
        mainFields: [...ESBUILD_OPTIONS.mainFields],
        external: [...ESBUILD_OPTIONS.external],
        entryPoints: [entry],
        outfile: 'index.mjs',
        write: false,
      });

      // Assess
      const shipped = readFileSync(join(assetDir(name), 'index.mjs'), 'utf8');
      expect(shipped === built.outputFiles[0]?.text, `${name} asset differs from a bundle of ${entry}`).toBe(
        true,
      );
      expect(shipped).not.toContain('Dynamic require of');
    },
  );

  it('ships the configuration file next to the code, and nothing else', () => {
    for (const name of ['Webhook', 'Reconcile'] as const) {
      expect(readdirSync(assetDir(name)).sort()).toEqual(['index.mjs', 'pinebridge.config.json']);
      expect(readFileSync(join(assetDir(name), 'pinebridge.config.json'), 'utf8')).toBe(
        readFileSync(fixture('paper.json'), 'utf8'),
      );
    }
  });

  it('answers alerts with the deployed environment: app secret from Secrets Manager, TradingView addresses only', async () => {
    // Prepare
    const alert = (price: number) =>
      JSON.stringify({ passphrase: PASSPHRASE, symbol: 'AAPL', action: 'buy', quantity: 1, price });
    const events = [
      webhookEvent('function-url', { body: alert(100), sourceIp: TRADINGVIEW_IP }),
      webhookEvent('function-url', { body: alert(101), sourceIp: '198.51.100.20' }),
    ];

    // Act
    const { results, emf } = await invoke('Webhook', events);

    // Assess
    const [fromTradingView, fromElsewhere] = results.map((result) => LambdaResult.parse(result));
    expect(fromTradingView?.statusCode).toBe(200);
    expect(WebhookAnswer.parse(JSON.parse(fromTradingView?.body ?? '')).status).toBe('accepted');
    expect(fromElsewhere?.statusCode).toBe(403);
    expect(emfMetric(emf, METRIC.alerts)).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: [METRIC_DIMENSION.service, METRIC_DIMENSION.status],
      service: METRIC_SERVICE.webhook,
    });
    expect(emfMetric(emf, METRIC.alertsReceived)?.dimensions).toEqual([METRIC_DIMENSION.service]);
  });

  it('runs a reconcile pass and reports it with the dimensions the alarms watch', async () => {
    // Act
    const { results, emf } = await invoke('Reconcile', [{}]);

    // Assess
    expect(results).toEqual([[expect.objectContaining({ accountId: 'default', ok: true })]]);
    for (const name of [METRIC.reconcileRuns, METRIC.driftCount, METRIC.oldestInFlightAge]) {
      expect(emfMetric(emf, name), name).toEqual({
        namespace: METRICS_NAMESPACE,
        dimensions: [METRIC_DIMENSION.service, METRIC_DIMENSION.account],
        service: METRIC_SERVICE.reconcile,
      });
    }
  });
});

describe('credentials in the bundles', () => {
  let table: TestTable;
  let bundle: string;
  let inputs: string[];
  beforeAll(async () => {
    table = await createTestTable('bundle-credentials');
    const dir = mkdtempSync(join(tmpdir(), 'pinebridge-credentials-'));
    const entry = join(dir, 'entry.ts');
    // A client built as on Lambda (no endpoint credentials), telling which access key it signed with.
    writeFileSync(
      entry,
      `import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: 'us-east-1', endpoint: process.env.ENDPOINT, maxAttempts: 1 });
let signedWith = '';
client.middlewareStack.add((next) => async (args) => {
  signedWith = String(args.request.headers.authorization).split('Credential=')[1]?.split('/')[0] ?? '';
  return next(args);
}, { step: 'finalizeRequest', name: 'signedWith', priority: 'low' });
try {
  await client.send(new ListTablesCommand({}));
  console.log(JSON.stringify({ signedWith }));
} catch (error) {
  console.log(JSON.stringify({ error: error.message }));
}
`,
    );
    bundle = join(dir, 'index.mjs');
    const built = await build({
      ...ESBUILD_OPTIONS,
      mainFields: [...ESBUILD_OPTIONS.mainFields],
      external: [...ESBUILD_OPTIONS.external],
      entryPoints: [entry],
      outfile: bundle,
      nodePaths: [join(process.cwd(), 'node_modules')],
      metafile: true,
    });
    inputs = Object.keys(built.metafile.inputs);
  });
  afterAll(() => table.close());

  const runBundle = async (env: Record<string, string>) => {
    const { stdout } = await run(process.execPath, [bundle], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ENDPOINT: table.endpoint, ...env },
      timeout: 20_000,
    });
    return z
      .looseObject({ signedWith: z.string().optional(), error: z.string().optional() })
      .parse(JSON.parse(stdout));
  };

  it('leaves the rest of the SDK credential chain out of the bundle', () => {
    // Assess
    expect(
      inputs.filter((input) => /credential-provider-(node|sso|ini|web-identity)|nested-clients/.test(input)),
    ).toEqual([]);
    expect(inputs.some((input) => input.endsWith('infra/lambda-credentials.ts'))).toBe(true);
  });

  it('signs with the credentials Lambda puts in the environment', async () => {
    // Act
    const answer = await runBundle({
      AWS_ACCESS_KEY_ID: 'ASIAFROMLAMBDAENV',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });

    // Assess
    expect(answer).toEqual({ signedWith: 'ASIAFROMLAMBDAENV' });
  });

  it('fails at once, naming the environment, when it holds no credentials', async () => {
    // Act
    const answer = await runBundle({});

    // Assess
    expect(answer.error).toMatch(/environment variable/i);
  });
});

/** Where `name` was written: namespace, dimension names, and the service dimension's value. */
function emfMetric(lines: EmfLine[], name: string) {
  for (const line of lines) {
    for (const directive of line._aws.CloudWatchMetrics) {
      if (!directive.Metrics.some((metric) => metric.Name === name)) continue;
      return {
        namespace: directive.Namespace,
        dimensions: directive.Dimensions[0],
        service: line[METRIC_DIMENSION.service],
      };
    }
  }
  return undefined;
}
