/**
 * The CDK app (cdk.json runs it with tsx): `npx cdk synth`, `npx cdk deploy`. Invalid settings or
 * configuration end the synth with every problem listed, before anything is built.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../src/config.ts';
import { addPinebridge } from './pinebridge-app.ts';
import { SettingsError } from './settings.ts';

const app = new App();
try {
  addPinebridge(app);
} catch (error) {
  if (!(error instanceof SettingsError || error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
app.synth();
