/**
 * The caller's address on Lambda: `requestContext.http.sourceIp` of a payload-2.0 event (Function URL
 * or HTTP API), which AWS fills in from the connection it accepted. Headers such as X-Forwarded-For
 * are never read: a client can write anything into them.
 */
import type { Context } from 'hono';
import * as z from '../zod.ts';

const LambdaEnv = z.object({
  requestContext: z.object({ http: z.object({ sourceIp: z.string().check(z.minLength(1)) }) }),
});

/** The source address AWS saw, or undefined when the event carries none. */
export function lambdaSourceIp(c: Context): string | undefined {
  const parsed = LambdaEnv.safeParse(c.env);
  return parsed.success ? parsed.data.requestContext.http.sourceIp : undefined;
}
