/**
 * Lambda entry for the webhook (Function URL or HTTP API, payload format 2.0). Clients and
 * configuration are built once per container; the source address is the one Lambda saw.
 */
import { getConnInfo, handle } from 'hono/aws-lambda';
import { buildDeps } from '../src/app/build-deps.ts';
import { createApp } from '../src/app/create-app.ts';
import { loadConfig } from '../src/config.ts';
import { createDynamoClients } from '../src/store/table.ts';

const config = loadConfig(process.env);
const { doc } = createDynamoClients(config.dynamodb);
const deps = buildDeps(config, { doc, sourceIp: (c) => getConnInfo(c).remote.address });
await deps.book.ensure(config.risk.tradingState, deps.now());

/** The Lambda handler. */
export const handler = handle(createApp(deps));
