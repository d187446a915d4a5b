/**
 * Local mode: the same app as on Lambda, served by @hono/node-server, on the embedded engine (or
 * DYNAMODB_ENDPOINT), with the configured broker (the paper broker unless BROKER says otherwise) and
 * a reconcile timer over every account. No AWS account needed.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { bootWith, secretStoreFor, withAppSecret } from '../app/boot.ts';
import type { Deps } from '../app/build-deps.ts';
import { createApp } from '../app/create-app.ts';
import { errorFields, jsonLogger } from '../app/logger.ts';
import { type Config, loadConfig } from '../config.ts';
import { FileSecretStore } from '../secrets/file-secret-store.ts';
import { createDynamoClients, ensureTable } from '../store/table.ts';
import { type EmbeddedDynamo, startEmbeddedDynamo } from './embedded-dynamo.ts';
import { type LocalSecrets, loadLocalSecrets } from './local-secrets.ts';

/** A running local server. */
export interface LocalServer {
  url: string;
  config: Config;
  secrets: LocalSecrets;
  deps: Deps;
  dynamoEndpoint: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Starts everything local mode needs from the environment given. */
export async function startLocalServer(
  env: Readonly<Record<string, string | undefined>>,
): Promise<LocalServer> {
  const fromEnv = loadConfig(env);
  const secrets = secretStoreFor(
    fromEnv,
    jsonLogger(fromEnv.log.level),
    new FileSecretStore(join(fromEnv.dataDir, 'secrets')),
  );
  const loaded = await withAppSecret(fromEnv, secrets);
  const local = loadLocalSecrets(loaded.dataDir, {
    passphrase: loaded.webhook.passphrase,
    apiToken: loaded.api.token,
  });
  const config: Config = {
    ...loaded,
    webhook: { ...loaded.webhook, passphrase: local.passphrase },
    api: { token: local.apiToken },
  };
  const engine: EmbeddedDynamo | undefined = config.dynamodb.endpoint
    ? undefined
    : await startEmbeddedDynamo(config.dataDir);
  const endpoint = config.dynamodb.endpoint ?? engine?.endpoint ?? '';
  const clients = createDynamoClients({ endpoint, region: config.dynamodb.region });
  await ensureTable(clients.raw, config.dynamodb.tableName);

  const log = jsonLogger(config.log.level);
  const deps = await bootWith(config, {
    doc: clients.doc,
    sourceIp: (c) => normalizeIp(getConnInfo(c).remote.address),
    log,
    secrets,
  });
  const app = createApp(deps);

  const server = serve({ fetch: app.fetch, port: config.server.port, hostname: config.server.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = deps
      .reconcileAll()
      .catch((error: unknown) => deps.log.error('reconcile pass failed', errorFields(error)))
      .finally(() => {
        running = undefined;
      });
  }, config.reconcile.intervalSeconds * 1000);
  timer.unref();

  return {
    url: `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`,
    config,
    secrets: local,
    deps,
    dynamoEndpoint: endpoint,
    embedded: engine !== undefined,
    close: async () => {
      clearInterval(timer);
      await running;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      clients.raw.destroy();
      await engine?.close();
    },
  };
}

/** Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d. */
function normalizeIp(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}
