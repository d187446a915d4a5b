/**
 * Lambda events built from the real shapes in tests/fixtures/aws-events: only method, path, headers,
 * body and source address change; the rest stays as AWS delivers it.
 */
import { readFileSync } from 'node:fs';
import type { LambdaEvent } from 'hono/aws-lambda';
import { z } from 'zod';

const FIXTURES = new URL('../fixtures/aws-events/', import.meta.url);
const URL_ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6';

/** An HTTP API / Function URL event, payload format 2.0. */
export type HttpEventV2 = Extract<LambdaEvent, { rawPath: string; routeKey: string }>;

const Iam = z.object({
  accessKey: z.string(),
  accountId: z.string(),
  callerId: z.string(),
  cognitoIdentity: z.null(),
  principalOrgId: z.null(),
  userArn: z.string(),
  userId: z.string(),
});

const EventV2 = z.object({
  version: z.literal('2.0'),
  routeKey: z.string(),
  rawQueryString: z.string(),
  cookies: z.array(z.string()).optional(),
  headers: z.record(z.string(), z.string()),
  requestContext: z.object({
    accountId: z.string(),
    apiId: z.string(),
    authorizer: z.object({ iam: Iam.optional() }),
    domainName: z.string(),
    domainPrefix: z.string(),
    http: z.object({
      method: z.string(),
      path: z.string(),
      protocol: z.string(),
      sourceIp: z.string(),
      userAgent: z.string(),
    }),
    requestId: z.string(),
    routeKey: z.string(),
    stage: z.string(),
    time: z.string(),
    timeEpoch: z.number(),
  }),
});

/** What a test changes in an event. */
export interface EventChanges {
  body: string;
  sourceIp: string;
  headers?: Record<string, string>;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
}

/** A POST /webhook event of the given fixture. */
export function webhookEvent(fixture: 'function-url' | 'http-api-v2', changes: EventChanges): HttpEventV2 {
  const source = EventV2.parse(JSON.parse(readFileSync(new URL(`${fixture}.json`, FIXTURES), 'utf8')));
  const body = changes.base64 ? Buffer.from(changes.body, 'utf8').toString('base64') : changes.body;
  const routeKey = fixture === 'function-url' ? source.routeKey : 'POST /webhook';
  // The Function URL fixture keeps AWS's documentation placeholder <url-id>, which is no host name.
  const domainName = source.requestContext.domainName.replace('<url-id>', URL_ID);
  const domainPrefix = source.requestContext.domainPrefix.replace('<url-id>', URL_ID);
  return {
    ...source,
    routeKey,
    rawPath: '/webhook',
    rawQueryString: '',
    headers: {
      ...source.headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(changes.body)),
      ...changes.headers,
    },
    body,
    isBase64Encoded: changes.base64 ?? false,
    requestContext: {
      ...source.requestContext,
      authentication: null,
      domainName,
      domainPrefix,
      routeKey,
      http: { ...source.requestContext.http, method: 'POST', path: '/webhook', sourceIp: changes.sourceIp },
    },
  };
}

const EventBridgeEvent = z.looseObject({
  version: z.string(),
  id: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
});

/** The EventBridge fixture reshaped as what a scheduled rule delivers. */
export function scheduledEvent(): Record<string, unknown> {
  const source = EventBridgeEvent.parse(
    JSON.parse(readFileSync(new URL('eventbridge.json', FIXTURES), 'utf8')),
  );
  const { 'replay-name': _replay, ...event } = source;
  return {
    ...event,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    resources: [`arn:aws:events:${source.region}:${source.account}:rule/pinebridge-reconcile`],
    detail: {},
  };
}
