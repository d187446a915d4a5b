import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SIZING } from '../../infra/functions.ts';
import { DEPLOY_ENV, SECRET_READ_ACTIONS, TABLE_ACTIONS } from '../../src/deploy-contract.ts';
import { OPEN_INDEX, TABLE_DEFINITION, TTL_ATTRIBUTE } from '../../src/store/table.ts';
import { type Synthesized, synthesize } from './synth.ts';

/** The logical id of the one resource of `type` whose construct path ends with `pathEnd`. */
function logicalId(synth: Synthesized, type: string, pathEnd: string): string {
  const found = Object.entries(synth.template.findResources(type)).filter(([, resource]) =>
    String(resource.Metadata?.['aws:cdk:path'] ?? '').endsWith(pathEnd),
  );
  expect(found, `${type} at ${pathEnd}`).toHaveLength(1);
  return found[0]?.[0] ?? '';
}

describe('the stack as deployed by default, trading on Alpaca', () => {
  let synth: Synthesized;
  let ids: Record<'table' | 'webhook' | 'reconcile' | 'app' | 'alpaca' | 'queue', string>;
  beforeAll(() => {
    synth = synthesize({ context: { broker: 'alpaca' } });
    ids = {
      table: logicalId(synth, 'AWS::DynamoDB::Table', 'Data/Table/Resource'),
      webhook: logicalId(synth, 'AWS::Lambda::Function', 'Functions/Webhook/Resource'),
      reconcile: logicalId(synth, 'AWS::Lambda::Function', 'Functions/Reconcile/Resource'),
      app: logicalId(synth, 'AWS::SecretsManager::Secret', 'Secrets/App/Resource'),
      alpaca: logicalId(synth, 'AWS::SecretsManager::Secret', 'Secrets/Alpaca/Resource'),
      queue: logicalId(synth, 'AWS::SQS::Queue', 'ReconcileDeadLetters/Queue/Resource'),
    };
  });

  describe('the table', () => {
    it('has the keys, attributes and index of TABLE_DEFINITION, on demand, with PITR and TTL', () => {
      synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: TABLE_DEFINITION.KeySchema,
        AttributeDefinitions: Match.arrayWith([...TABLE_DEFINITION.AttributeDefinitions]),
        GlobalSecondaryIndexes: [
          {
            IndexName: OPEN_INDEX,
            KeySchema: TABLE_DEFINITION.GlobalSecondaryIndexes[0].KeySchema,
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      });
      const definitions =
        synth.template.findResources('AWS::DynamoDB::Table')[ids.table]?.Properties?.AttributeDefinitions;
      expect(definitions).toHaveLength(TABLE_DEFINITION.AttributeDefinitions.length);
    });

    it('is protected from deletion and retained when the stack goes', () => {
      synth.template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('the functions', () => {
    it('run on arm64 and Node 24, bundled as ESM (index.mjs) with the handler export', () => {
      for (const id of [ids.webhook, ids.reconcile]) {
        const fn = synth.template.findResources('AWS::Lambda::Function')[id];
        expect(fn?.Properties).toMatchObject({
          Architectures: ['arm64'],
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
        });
      }
    });

    it('size the webhook at one vCPU, a 10 s timeout and the reserved concurrency as throttle', () => {
      expect(synth.template.findResources('AWS::Lambda::Function')[ids.webhook]?.Properties).toMatchObject({
        MemorySize: FUNCTION_SIZING.webhook.memoryMb,
        Timeout: 10,
        ReservedConcurrentExecutions: 10,
      });
      expect(FUNCTION_SIZING.webhook.memoryMb).toBe(1769);
    });

    it('run reconcile one at a time, with a timeout inside the one-minute schedule', () => {
      expect(synth.template.findResources('AWS::Lambda::Function')[ids.reconcile]?.Properties).toMatchObject({
        MemorySize: 512,
        Timeout: 50,
        ReservedConcurrentExecutions: 1,
      });
    });

    it('give both the table, the broker, the secrets and an IP allowlist that is on', () => {
      const expected = {
        [DEPLOY_ENV.tableName]: { Ref: ids.table },
        [DEPLOY_ENV.broker]: 'alpaca',
        [DEPLOY_ENV.appSecretId]: { Ref: ids.app },
        [DEPLOY_ENV.alpacaSecretId]: { Ref: ids.alpaca },
        [DEPLOY_ENV.ipAllowlistEnabled]: 'true',
        [DEPLOY_ENV.logLevel]: 'info',
      };
      for (const id of [ids.webhook, ids.reconcile]) {
        const fn = synth.template.findResources('AWS::Lambda::Function')[id];
        expect(fn?.Properties?.Environment?.Variables).toEqual(expected);
      }
    });

    it('write to their own log groups, kept 30 days', () => {
      for (const [id, logs] of [
        [ids.webhook, 'Functions/WebhookLogs/Resource'],
        [ids.reconcile, 'Functions/ReconcileLogs/Resource'],
      ] as const) {
        const group = logicalId(synth, 'AWS::Logs::LogGroup', logs);
        const fn = synth.template.findResources('AWS::Lambda::Function')[id];
        expect(fn?.Properties?.LoggingConfig).toEqual({ LogGroup: { Ref: group } });
        expect(synth.template.findResources('AWS::Logs::LogGroup')[group]?.Properties).toEqual({
          RetentionInDays: 30,
        });
      }
    });
  });

  describe('the webhook URL', () => {
    it('is a Function URL without AWS auth, which anyone may invoke through the URL only', () => {
      synth.template.hasResourceProperties('AWS::Lambda::Url', {
        AuthType: 'NONE',
        TargetFunctionArn: { 'Fn::GetAtt': [ids.webhook, 'Arn'] },
      });
      synth.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunctionUrl',
        FunctionUrlAuthType: 'NONE',
        Principal: '*',
      });
      synth.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        InvokedViaFunctionUrl: true,
        Principal: '*',
      });
      expect(synth.template.findResources('AWS::Lambda::Permission')).toSatisfy(
        (permissions: Record<string, unknown>) => Object.keys(permissions).length === 2,
      );
    });
  });

  describe('permissions', () => {
    /** The statements of the policy attached to the role of function `id`, resource lists sorted. */
    function statementsOf(id: string): unknown[] {
      const roleRef =
        synth.template.findResources('AWS::Lambda::Function')[id]?.Properties?.Role?.['Fn::GetAtt']?.[0];
      const policies = Object.values(synth.template.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(roleRef),
      );
      expect(policies).toHaveLength(1);
      return sortedResources(policies[0]?.Properties.PolicyDocument.Statement);
    }

    interface Statement {
      Action: unknown;
      Effect: string;
      Resource: unknown;
    }

    function sortedResources(statements: Statement[]): Statement[] {
      const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
      return statements.map((statement) =>
        Array.isArray(statement.Resource)
          ? { ...statement, Resource: [...statement.Resource].sort(byJson) }
          : statement,
      );
    }
    const secretsRead = () => ({
      Action: SECRET_READ_ACTIONS[0],
      Effect: 'Allow',
      Resource: [{ Ref: ids.app }, { Ref: ids.alpaca }],
    });

    const tableStatement = (table: string) => ({
      Action: [...TABLE_ACTIONS].sort(),
      Effect: 'Allow',
      Resource: [
        { 'Fn::GetAtt': [table, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${OPEN_INDEX}`]] },
      ],
    });

    it('let the webhook write its logs, use the table and its index, and read the app and Alpaca secrets: nothing else', () => {
      expect(statementsOf(ids.webhook)).toEqual(
        sortedResources([
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: {
              'Fn::GetAtt': [logicalId(synth, 'AWS::Logs::LogGroup', 'WebhookLogs/Resource'), 'Arn'],
            },
          },
          tableStatement(ids.table),
          secretsRead(),
        ]),
      );
    });

    it('let reconcile do the same, and send its failures to the dead-letter queue', () => {
      expect(statementsOf(ids.reconcile)).toEqual(
        sortedResources([
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: {
              'Fn::GetAtt': [logicalId(synth, 'AWS::Logs::LogGroup', 'ReconcileLogs/Resource'), 'Arn'],
            },
          },
          tableStatement(ids.table),
          secretsRead(),
          {
            Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
          },
        ]),
      );
    });

    it('attach no AWS managed policy to any role', () => {
      for (const role of Object.values(synth.template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('grant no secret write when no Schwab account is deployed', () => {
      expect(JSON.stringify(synth.template.toJSON())).not.toContain('secretsmanager:PutSecretValue');
    });
  });

  describe('the secrets', () => {
    it('are created holding {} under the stack name, and retained', () => {
      for (const [id, name] of [
        [ids.app, 'pinebridge/app'],
        [ids.alpaca, 'pinebridge/alpaca'],
      ] as const) {
        expect(synth.template.findResources('AWS::SecretsManager::Secret')[id]).toMatchObject({
          Properties: { Name: name, SecretString: '{}' },
          DeletionPolicy: 'Retain',
        });
      }
      synth.template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    });
  });

  describe('the reconcile schedule', () => {
    it('invokes reconcile every minute through EventBridge Scheduler, retrying within the minute, with a dead-letter queue', () => {
      synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [ids.reconcile, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
        },
      });
    });

    it('lets the scheduler invoke reconcile and send to the dead-letter queue, and nothing else', () => {
      const schedule = Object.values(synth.template.findResources('AWS::Scheduler::Schedule'))[0];
      const role = schedule?.Properties.Target.RoleArn['Fn::GetAtt'][0];
      const policy = Object.values(synth.template.findResources('AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p.Properties.Roles).includes(role),
      );
      expect(policy?.Properties.PolicyDocument.Statement).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: [
            { 'Fn::GetAtt': [ids.reconcile, 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.reconcile, 'Arn'] }, ':*']] },
          ],
        },
        { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
      ]);
      synth.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      });
    });

    it('sends failed and expired reconcile invocations to the queue instead of retrying them', () => {
      synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: ids.reconcile },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.queue, 'Arn'] } } },
      });
    });

    it('keeps dead letters 14 days, encrypted, over TLS only', () => {
      synth.template.hasResourceProperties('AWS::SQS::Queue', {
        MessageRetentionPeriod: 14 * 86_400,
        SqsManagedSseEnabled: true,
      });
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ],
        },
      });
    });
  });

  describe('outputs', () => {
    it('give the webhook URL, the API URL, the table, the secret ARNs, the dashboard and what operators look at', () => {
      const outputs = synth.template.findOutputs('*');
      expect(Object.keys(outputs).sort()).toEqual(
        [
          'AlarmTopicArn',
          'AlpacaSecretArn',
          'ApiUrl',
          'AppSecretArn',
          'DashboardUrl',
          'DeadLetterQueueUrl',
          'ReconcileLogGroup',
          'TableName',
          'WebhookLogGroup',
          'WebhookUrl',
        ].sort(),
      );
      const url = logicalId(synth, 'AWS::Lambda::Url', 'Webhook/FunctionUrl/Resource');
      expect(outputs.WebhookUrl?.Value).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [url, 'FunctionUrl'] }, 'webhook']],
      });
      expect(outputs.TableName?.Value).toEqual({ Ref: ids.table });
      expect(outputs.AppSecretArn?.Value).toEqual({ Ref: ids.app });
      expect(outputs.AlpacaSecretArn?.Value).toEqual({ Ref: ids.alpaca });
      expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain('#dashboards:name=Pinebridge');
    });
  });
});
