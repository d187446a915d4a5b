/**
 * Lambda entry for the webhook (Function URL or HTTP API, payload format 2.0). Dependencies are
 * built once per container; the source address is the one AWS saw, never a header.
 */
import { handle } from 'hono/aws-lambda';
import { bootFromEnv } from '../src/app/boot.ts';
import { createApp } from '../src/app/create-app.ts';
import { lambdaSourceIp } from '../src/app/lambda-source-ip.ts';

const deps = await bootFromEnv(process.env, lambdaSourceIp);

/** The Lambda handler. */
export const handler = handle(createApp(deps));
