/**
 * The esbuild settings the Lambda entries are bundled with, free of CDK imports so a benchmark or a
 * script can build the same artifact with esbuild alone (./bundling.ts hands them to the stack's
 * NodejsFunctions; tests/infra/bundle.test.ts checks the deployed asset is byte for byte this build).
 *
 * ESM (`.mjs`), because the entries use top-level await. Minified, no source maps: the bundle is what
 * a cold start parses. The AWS SDK is bundled rather than taken from the runtime, so the deployed
 * code runs the SDK version the tests ran. No `require` banner: nothing bundled calls `require`
 * (the bundle test checks there is no dynamic-require shim, so a dependency that needs one shows up).
 * The SDK's default credential chain is replaced by the environment alone (./lambda-credentials.ts).
 */
import { fileURLToPath } from 'node:url';

/** Modules the bundles take from elsewhere, by the module they replace. */
export const BUNDLE_ALIASES = {
  '@aws-sdk/credential-provider-node': fileURLToPath(new URL('./lambda-credentials.ts', import.meta.url)),
} as const;

/** The Lambda entries, by function. */
export const LAMBDA_ENTRIES = {
  webhook: fileURLToPath(new URL('../functions/webhook.ts', import.meta.url)),
  reconcile: fileURLToPath(new URL('../functions/reconcile.ts', import.meta.url)),
} as const;

/**
 * esbuild's build options (add `entryPoints` and `outfile`):
 * `build({ ...ESBUILD_OPTIONS, mainFields: [...ESBUILD_OPTIONS.mainFields], external: [], entryPoints: [LAMBDA_ENTRIES.webhook], outfile: 'index.mjs' })`.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  external: [] as string[],
  alias: BUNDLE_ALIASES,
} as const;
