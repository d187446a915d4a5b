/**
 * Builds the pinebridge CDK app: settings from context, the deployed configuration validated with the
 * app's own loader, the stack, and the cdk-nag AwsSolutions and Serverless packs as synth-time
 * validations (any unacknowledged finding fails the synth). infra/app.ts runs it; the tests build the
 * same app.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { resolveDeployedConfig } from './deployed-config.ts';
import { PinebridgeStack } from './pinebridge-stack.ts';
import { settingsFromContext } from './settings.ts';

/** Adds the stack and the checks to `app`; throws SettingsError or ConfigError on invalid input. */
export function addPinebridge(app: App, cwd = process.cwd()): PinebridgeStack {
  const settings = settingsFromContext(app.node);
  const deployed = resolveDeployedConfig(settings, cwd);
  const stack = new PinebridgeStack(app, settings.stackName, {
    settings,
    deployed,
    description: 'pinebridge: TradingView alerts to broker orders (webhook, reconcile, monitoring)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stack;
}
