/**
 * Synthesizes the pinebridge app as `cdk synth` would (cdk.json's context, then the test's), into a
 * temporary directory. Bundling (esbuild, about a second per function) and CDK's built-in
 * CloudFormation validation (a WebAssembly rule engine, about 6 s on first use) run only where a test
 * file asks for them; the cdk-nag packs always run, so every synth here fails on an unacknowledged
 * finding.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { z } from 'zod';
import { addPinebridge } from '../../infra/pinebridge-app.ts';
import type { PinebridgeStack } from '../../infra/pinebridge-stack.ts';

/** The repository root. */
export const ROOT = new URL('../../', import.meta.url);

const CdkJson = z.object({ app: z.string(), output: z.string(), context: z.record(z.string(), z.unknown()) });

/** cdk.json, parsed. */
export function cdkJson(): z.infer<typeof CdkJson> {
  return CdkJson.parse(JSON.parse(readFileSync(new URL('cdk.json', ROOT), 'utf8')));
}

/** What a test file synthesizes. */
export interface SynthOptions {
  /** Context over cdk.json's, as `-c key=value` would set it. */
  context?: Record<string, unknown>;
  /** Run esbuild and produce the real assets. Default false. */
  bundle?: boolean;
  /** Run CDK's built-in CloudFormation validation, as `cdk synth` does. Default false. */
  defaultValidation?: boolean;
}

/** The synthesized app. */
export interface Synthesized {
  app: App;
  stack: PinebridgeStack;
  template: Template;
  assembly: CloudAssembly;
}

/** Synthesizes the app once; call it once per test file. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const context: Record<string, unknown> = {
    ...cdkJson().context,
    // What the CLI sets: construct paths and asset paths in each resource's metadata.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    ...options.context,
  };
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'pinebridge-cdk-')),
    context,
    builtinCloudFormationValidation: options.defaultValidation ?? false,
  });
  const stack = addPinebridge(app, ROOT.pathname);
  const assembly = app.synth();
  return { app, stack, template: Template.fromStack(stack), assembly };
}

/** A fixture's absolute path. */
export function fixture(name: string): string {
  return new URL(`fixtures/${name}`, import.meta.url).pathname;
}
