/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (esbuild `alias` in
 * ./esbuild-options.ts). On Lambda the credentials of the function's role are always in the
 * environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), which is also the
 * first place the SDK's default chain looks. The rest of that chain (SSO, shared files, web identity,
 * container and instance metadata, and the STS and SSO clients they bring) never answers there,
 * yet it is about a fifth of each bundle. Run from source (tests, `npm start`), the SDK's own chain
 * is used as usual.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK clients' default credential provider, reduced to the environment. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
