/**
 * The two Lambda functions, bundled from functions/*.ts by the local esbuild (./bundling.ts), each
 * with its own role holding only what it calls, and its own log group.
 *
 * - webhook: behind a Function URL (auth NONE: TradingView cannot sign requests; the passphrase, the
 *   IP allowlist and the reserved concurrency guard it). 1,769 MB is one full vCPU: a cold start
 *   (parsing the bundle, building the schemas and SDK clients) is CPU-bound and sits inside
 *   TradingView's 3 s; more than one vCPU buys a single-threaded handler nothing. 10 s timeout: the
 *   answer is due by `webhook.deadlineMs` (2.5 s), and the time after it lets the settling writes
 *   finish instead of cutting them off. docs/deploy.md has the reasoning in full.
 * - reconcile: invoked by the schedule (./schedule.ts), one at a time (reserved concurrency 1), 512 MB
 *   (I/O-bound, and it runs 43,200 times a month), 50 s timeout so a pass ends before the next minute's.
 *   Its failed or expired invocations go to the dead-letter queue instead of being retried: the next
 *   scheduled pass is the retry.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SECRET_READ_ACTIONS, SECRET_WRITE_ACTIONS, TABLE_ACTIONS } from '../src/deploy-contract.ts';
import { OPEN_INDEX } from '../src/store/table.ts';
import { LAMBDA_BUNDLING, LAMBDA_RUNTIME, PROJECT_ROOT } from './bundling.ts';
import { LAMBDA_ENTRIES } from './esbuild-options.ts';
import type { BrokerSecret } from './secrets.ts';

/** Memory and timeouts (justified in the module header and docs/deploy.md). */
export const FUNCTION_SIZING = {
  webhook: { memoryMb: 1769, timeout: Duration.seconds(10) },
  reconcile: { memoryMb: 512, timeout: Duration.seconds(50), reservedConcurrency: 1 },
} as const;

/** Settings of the functions. */
export interface PinebridgeFunctionsProps {
  table: ITable;
  appSecret: ISecret;
  brokerSecrets: readonly BrokerSecret[];
  environment: Record<string, string>;
  /** Where reconcile's failed invocations go. */
  deadLetterQueue: IQueue;
  /** The webhook's reserved concurrency: the most alerts handled at once. */
  webhookConcurrency: number;
  logRetention: RetentionDays;
  /** The configuration file to ship next to the code, when there is one. */
  configFile?: string | undefined;
  throwaway: boolean;
}

/** The webhook and reconcile functions. */
export class PinebridgeFunctions extends Construct {
  readonly webhook: NodejsFunction;
  readonly reconcile: NodejsFunction;
  readonly webhookUrl: FunctionUrl;
  readonly webhookLogs: LogGroup;
  readonly reconcileLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PinebridgeFunctionsProps) {
    super(scope, id);
    this.webhookLogs = this.logGroup('WebhookLogs', props);
    this.reconcileLogs = this.logGroup('ReconcileLogs', props);

    this.webhook = this.lambda('Webhook', props, this.webhookLogs, {
      description: 'pinebridge: TradingView alerts to broker orders (Function URL)',
      memorySize: FUNCTION_SIZING.webhook.memoryMb,
      timeout: FUNCTION_SIZING.webhook.timeout,
      reservedConcurrentExecutions: props.webhookConcurrency,
    });
    this.webhookUrl = this.webhook.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    this.reconcile = this.lambda('Reconcile', props, this.reconcileLogs, {
      description: 'pinebridge: scheduled reconcile pass over every account',
      memorySize: FUNCTION_SIZING.reconcile.memoryMb,
      timeout: FUNCTION_SIZING.reconcile.timeout,
      reservedConcurrentExecutions: FUNCTION_SIZING.reconcile.reservedConcurrency,
    });
    this.reconcile.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      onFailure: new SqsDestination(props.deadLetterQueue),
    });

    Validations.of(this.webhook).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The webhook is invoked synchronously through its Function URL; TradingView gets the answer, and a dead-letter queue only applies to asynchronous invocations.',
    });
    Validations.of(this.reconcile).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Reconcile's failed and expired invocations go to the dead-letter queue through an on-failure destination, which records the error and the request; a legacy DeadLetterConfig would only duplicate them.",
    });
    for (const fn of [this.webhook, this.reconcile]) {
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'The code has no tracer: an X-Ray trace would show only the platform segment, which the Duration, InitDuration and EMF latency metrics on the dashboard already cover.',
      });
    }
  }

  private logGroup(id: string, props: PinebridgeFunctionsProps): LogGroup {
    return new LogGroup(this, id, {
      retention: props.logRetention,
      removalPolicy: props.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }

  private lambda(
    id: 'Webhook' | 'Reconcile',
    props: PinebridgeFunctionsProps,
    logGroup: LogGroup,
    sizing: {
      description: string;
      memorySize: number;
      timeout: Duration;
      reservedConcurrentExecutions: number;
    },
  ): NodejsFunction {
    const role = this.role(`${id}Role`, props, logGroup);
    const configFile = props.configFile;
    return new NodejsFunction(this, id, {
      ...sizing,
      entry: id === 'Webhook' ? LAMBDA_ENTRIES.webhook : LAMBDA_ENTRIES.reconcile,
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      role,
      logGroup,
      environment: props.environment,
      bundling: {
        ...LAMBDA_BUNDLING,
        ...(configFile
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => [
                  `cp ${shellQuote(configFile)} ${shellQuote(`${outputDir}/pinebridge.config.json`)}`,
                ],
              },
            }
          : {}),
      },
    });
  }

  /** A role with exactly the calls the code makes: its log group, the table, and the secrets. */
  private role(id: string, props: PinebridgeFunctionsProps, logGroup: LogGroup): IRole {
    const role = new Role(this, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...TABLE_ACTIONS],
        resources: [props.table.tableArn, `${props.table.tableArn}/index/${OPEN_INDEX}`],
      }),
    );
    const read = [props.appSecret, ...props.brokerSecrets.map((broker) => broker.secret)];
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...SECRET_READ_ACTIONS], resources: read.map(secretArn) }),
    );
    const written = props.brokerSecrets.filter((broker) => broker.writable).map((broker) => broker.secret);
    if (written.length > 0) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...SECRET_WRITE_ACTIONS], resources: written.map(secretArn) }),
      );
    }
    return role;
  }
}

/** The ARN IAM matches: the full one when known, else the name with Secrets Manager's 6-character suffix. */
function secretArn(secret: ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
