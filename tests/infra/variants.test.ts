import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYED_CONFIG_PATH } from '../../infra/deployed-config.ts';
import { METRIC } from '../../src/app/metrics.ts';
import { TRADINGVIEW_IPS } from '../../src/config.ts';
import { DEPLOY_ENV, SECRET_WRITE_ACTIONS } from '../../src/deploy-contract.ts';
import { fixture, type Synthesized, synthesize } from './synth.ts';

const SHARED_APP_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-app-Xy9Z01';
const CRYPTO_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:crypto-alpaca-AbC123';

describe('a throwaway Schwab stack with extra accounts, an imported app secret and every setting changed', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({
      context: {
        stackName: 'PinebridgeTest',
        broker: 'schwab',
        config: fixture('accounts.json'),
        throwaway: 'true',
        reconcileRateMinutes: '5',
        appSecretArn: SHARED_APP_SECRET,
        allowIps: '203.0.113.7',
        logRetentionDays: '90',
        webhookConcurrency: '20',
        logLevel: 'debug',
        inFlightAlarmMinutes: '15',
        deniedAlarmThreshold: '3',
      },
    });
  });

  /** Every IAM statement in the stack with `action`. */
  function statementsWith(action: string): Array<{ Resource: unknown }> {
    return Object.values(synth.template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.filter((statement: { Action: string | string[] }) =>
        [statement.Action].flat().includes(action),
      ),
    );
  }

  it('lets everything go with the stack: no deletion protection, nothing retained', () => {
    synth.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(synth.template.findResources(type))) {
        expect(resource.DeletionPolicy, type).toBe('Delete');
      }
    }
  });

  it('uses the imported app secret instead of creating one, and creates the Schwab secret', () => {
    const secrets = Object.values(synth.template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets.map((secret) => secret.Properties.Name)).toEqual(['pinebridgetest/schwab']);
    const env = Object.values(synth.template.findResources('AWS::Lambda::Function'))[0]?.Properties
      .Environment.Variables;
    expect(env[DEPLOY_ENV.appSecretId]).toBe(SHARED_APP_SECRET);
    expect(env[DEPLOY_ENV.schwabSecretId]).toEqual({ Ref: expect.stringMatching(/^SecretsSchwab/) });
    expect(env[DEPLOY_ENV.alpacaSecretId]).toBeUndefined();
    expect(synth.template.findOutputs('SchwabSecretArn')).not.toEqual({});
  });

  it('ships the configuration file with the code and points the functions at it', () => {
    for (const fn of Object.values(synth.template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables[DEPLOY_ENV.configFile]).toBe(DEPLOYED_CONFIG_PATH);
      expect(fn.Properties.Environment.Variables[DEPLOY_ENV.logLevel]).toBe('debug');
    }
  });

  it("adds the extra addresses to TradingView's, keeping the allowlist on", () => {
    for (const fn of Object.values(synth.template.findResources('AWS::Lambda::Function'))) {
      const env = fn.Properties.Environment.Variables;
      expect(env[DEPLOY_ENV.ipAllowlistEnabled]).toBe('true');
      expect(env[DEPLOY_ENV.ipAllowlistIps]).toBe([...TRADINGVIEW_IPS, '203.0.113.7'].join(','));
    }
  });

  it('lets both functions write the Schwab secrets back (token rotation), and no other secret', () => {
    const writes = statementsWith(SECRET_WRITE_ACTIONS[0]);
    expect(writes).toHaveLength(2);
    for (const statement of writes) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain('SecretsSchwab');
      expect(resources).toContain(':secret:pinebridge/swing-schwab-??????');
      expect(resources).not.toContain(CRYPTO_SECRET);
      expect(resources).not.toContain(SHARED_APP_SECRET);
    }
  });

  it("lets both functions read the imported app secret and every account's broker secret", () => {
    for (const statement of statementsWith('secretsmanager:GetSecretValue')) {
      const resources = JSON.stringify(statement.Resource);
      for (const expected of [
        SHARED_APP_SECRET,
        CRYPTO_SECRET,
        'pinebridge/swing-schwab-??????',
        'SecretsSchwab',
      ]) {
        expect(resources).toContain(expected);
      }
    }
  });

  it('runs reconcile every 5 minutes and evaluates its alarms over 5-minute periods', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'PinebridgeTest-ReconcileNotRunning-swing',
      Period: 300,
      EvaluationPeriods: 3,
    });
  });

  it('sizes logs, concurrency and alarm thresholds from the settings', () => {
    for (const group of Object.values(synth.template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(90);
    }
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 20,
      Description: Match.stringLikeRegexp('Function URL'),
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'PinebridgeTest-InFlightStuck-crypto',
      Threshold: 15 * 60,
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'PinebridgeTest-AlertsDeniedSpike',
      Threshold: 3,
    });
  });

  it('has the per-account alarms for every account, and the Schwab token alarm only for Schwab accounts', () => {
    const names = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );
    for (const account of ['main', 'swing', 'crypto', 'sim']) {
      for (const kind of [
        'CircuitOpen',
        'ReconcileNotRunning',
        'ReconcileStepErrors',
        'Drift',
        'InFlightStuck',
      ]) {
        expect(names).toContain(`PinebridgeTest-${kind}-${account}`);
      }
    }
    expect(names.filter((name: string) => name.includes('SchwabRefreshExpiring')).sort()).toEqual([
      'PinebridgeTest-SchwabRefreshExpiring-main',
      'PinebridgeTest-SchwabRefreshExpiring-swing',
    ]);
  });

  it('names the dashboard after the stack and graphs the Schwab token for Schwab accounts', () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'PinebridgeTest' });
    const body = JSON.stringify(Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain(METRIC.schwabRefreshHoursLeft);
  });
});
