/**
 * The Hono app, the same locally and on Lambda. The edge only reads the request (source address,
 * size, raw text) and maps answers to HTTP; decisions are made in the pipeline and the domain.
 */
import { type Context, Hono } from 'hono';
import {
  type Answer,
  type Delivery,
  type PipelineDeps,
  processDelivery,
  refuseDelivery,
} from './alert-pipeline.ts';
import { type ApiDeps, apiRoutes } from './api-routes.ts';

/** Decodes whole bodies (never streamed), replacing invalid bytes: one instance serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** Settings of the HTTP edge. */
export interface EdgeSettings {
  maxBodyBytes: number;
  /** When set, only these source addresses may post alerts. */
  ipAllowlist?: readonly string[] | undefined;
}

/** What the app needs. */
export interface AppDeps extends PipelineDeps, ApiDeps {
  edge: EdgeSettings;
  /** The address the platform saw the request come from (never a client-supplied header). */
  sourceIp: (c: Context) => string | undefined;
}

/** Builds the app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      service: 'pinebridge',
      broker: { name: deps.broker.name, circuit: deps.circuit.state() },
      accounts: deps.routing.accounts.map((account) => ({
        accountId: account.accountId,
        broker: account.broker.name,
        circuit: account.circuit.state(),
      })),
      time: deps.now().toISOString(),
    }),
  );

  app.post('/webhook', async (c) => {
    const receivedAt = deps.now();
    const sourceIp = deps.sourceIp(c);
    const delivery = (rawBody: string): Delivery => ({ rawBody, sourceIp, receivedAt });
    const allowlist = deps.edge.ipAllowlist;
    if (allowlist && !(sourceIp && allowlist.includes(sourceIp))) {
      return answer(c, await refuseDelivery(deps, delivery(''), 'forbidden', 'source address not allowed'));
    }
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > deps.edge.maxBodyBytes) {
      return answer(
        c,
        await refuseDelivery(deps, delivery(''), 'too_large', tooLarge(deps.edge.maxBodyBytes)),
      );
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > deps.edge.maxBodyBytes) {
      return answer(
        c,
        await refuseDelivery(deps, delivery(''), 'too_large', tooLarge(deps.edge.maxBodyBytes)),
      );
    }
    const rawBody = UTF8.decode(bytes);
    return answer(c, await processDelivery(deps, delivery(rawBody)));
  });

  app.route('/api', apiRoutes(deps));

  app.notFound((c) =>
    c.json({ status: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((error, c) => {
    deps.log.error('unhandled error', { path: c.req.path, error: `${error.name}: ${error.message}` });
    return c.json({ status: 'error', message: 'internal error' }, 500);
  });
  return app;
}

function answer(c: Context, result: Answer): Response {
  return c.json(result.body, result.httpStatus);
}

function tooLarge(limit: number): string {
  return `body larger than ${limit} bytes`;
}
