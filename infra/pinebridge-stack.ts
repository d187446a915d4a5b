/**
 * The pinebridge stack: the table, the secrets, the webhook and reconcile functions, the reconcile
 * schedule with its dead-letter queue, the alarms and the dashboard. docs/deploy.md walks through
 * deploying it; every setting is a CDK context value (./settings.ts).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PinebridgeDashboard } from './dashboard.ts';
import { type DeployedConfig, functionEnvironment } from './deployed-config.ts';
import { FUNCTION_SIZING, PinebridgeFunctions } from './functions.ts';
import { Monitoring } from './monitoring.ts';
import { ReconcileDeadLetters, ReconcileSchedule } from './schedule.ts';
import { PinebridgeSecrets } from './secrets.ts';
import type { Settings } from './settings.ts';
import { PinebridgeTable } from './table.ts';

/** What the stack is built from. */
export interface PinebridgeStackProps extends StackProps {
  settings: Settings;
  deployed: DeployedConfig;
}

/** The whole deployment. */
export class PinebridgeStack extends Stack {
  readonly data: PinebridgeTable;
  readonly secrets: PinebridgeSecrets;
  readonly functions: PinebridgeFunctions;
  readonly schedule: ReconcileSchedule;
  readonly deadLetters: ReconcileDeadLetters;
  readonly monitoring: Monitoring;
  readonly dashboard: PinebridgeDashboard;

  constructor(scope: Construct, id: string, props: PinebridgeStackProps) {
    super(scope, id, props);
    const { settings, deployed } = props;

    this.data = new PinebridgeTable(this, 'Data', { throwaway: settings.throwaway });
    this.secrets = new PinebridgeSecrets(this, 'Secrets', {
      broker: deployed.broker,
      appSecretArn: settings.appSecretArn,
      alpacaSecretArn: settings.alpacaSecretArn,
      schwabSecretArn: settings.schwabSecretArn,
      accounts: deployed.accounts,
      throwaway: settings.throwaway,
    });
    this.deadLetters = new ReconcileDeadLetters(this, 'ReconcileDeadLetters');
    this.functions = new PinebridgeFunctions(this, 'Functions', {
      table: this.data.table,
      appSecret: this.secrets.app,
      brokerSecrets: this.secrets.brokers,
      environment: functionEnvironment(settings, deployed, {
        tableName: this.data.table.tableName,
        secrets: {
          app: this.secrets.app.secretArn,
          alpaca: this.secrets.alpaca?.secretArn,
          schwab: this.secrets.schwab?.secretArn,
        },
      }),
      deadLetterQueue: this.deadLetters.queue,
      webhookConcurrency: settings.webhookConcurrency,
      logRetention: settings.logRetentionDays,
      configFile: deployed.configFile,
      throwaway: settings.throwaway,
    });
    this.schedule = new ReconcileSchedule(this, 'ReconcileSchedule', {
      reconcile: this.functions.reconcile,
      deadLetterQueue: this.deadLetters.queue,
      rateMinutes: settings.reconcileRateMinutes,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      webhook: this.functions.webhook,
      webhookTimeout: FUNCTION_SIZING.webhook.timeout,
      reconcile: this.functions.reconcile,
      reconcileTimeout: FUNCTION_SIZING.reconcile.timeout,
      deadLetterQueue: this.deadLetters.queue,
      accounts: deployed.accounts,
      reconcileRateMinutes: settings.reconcileRateMinutes,
      inFlightAlarmMinutes: settings.inFlightAlarmMinutes,
      deniedAlarmThreshold: settings.deniedAlarmThreshold,
    });
    this.dashboard = new PinebridgeDashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      webhook: this.functions.webhook,
      webhookConcurrency: settings.webhookConcurrency,
      reconcile: this.functions.reconcile,
      deadLetterQueue: this.deadLetters.queue,
      accounts: deployed.accounts,
      alarms: this.monitoring.alarms,
      inFlightAlarmMinutes: settings.inFlightAlarmMinutes,
    });
    this.outputs();
  }

  private outputs(): void {
    const url = this.functions.webhookUrl.url;
    new CfnOutput(this, 'WebhookUrl', {
      value: `${url}webhook`,
      description: "Paste into the TradingView alert's Webhook URL field",
    });
    new CfnOutput(this, 'ApiUrl', {
      value: `${url}api`,
      description: 'The API (bearer token from the app secret)',
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'AppSecretArn', {
      value: this.secrets.app.secretArn,
      description: 'Put {"webhookPassphrase","apiToken"} here',
    });
    if (this.secrets.alpaca) {
      new CfnOutput(this, 'AlpacaSecretArn', {
        value: this.secrets.alpaca.secretArn,
        description: 'Put {"keyId","secretKey"} here',
      });
    }
    if (this.secrets.schwab) {
      new CfnOutput(this, 'SchwabSecretArn', {
        value: this.secrets.schwab.secretArn,
        description:
          'Put {"appKey","appSecret","callbackUrl"} here, then run npm run schwab:login with SCHWAB_SECRET_ID',
      });
    }
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.stackName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'WebhookLogGroup', { value: this.functions.webhookLogs.logGroupName });
    new CfnOutput(this, 'ReconcileLogGroup', { value: this.functions.reconcileLogs.logGroupName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetters.queue.queueUrl });
  }
}
