/**
 * How the stack bundles the Lambda entries: the esbuild settings of ./esbuild-options.ts as
 * NodejsFunction bundling options, run by the local esbuild (Docker is never needed).
 */
import { fileURLToPath } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ESBUILD_OPTIONS } from './esbuild-options.ts';

/** The repository root. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The runtime both functions run on. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** The esbuild settings for a NodejsFunction. */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: ESBUILD_OPTIONS.target,
  minify: ESBUILD_OPTIONS.minify,
  sourceMap: ESBUILD_OPTIONS.sourcemap,
  mainFields: [...ESBUILD_OPTIONS.mainFields],
  externalModules: ESBUILD_OPTIONS.external,
  esbuildArgs: {
    '--alias': Object.entries(ESBUILD_OPTIONS.alias).map(
      ([module, replacement]) => `${module}=${replacement}`,
    ),
  },
  bundleAwsSDK: true,
  forceDockerBundling: false,
};
