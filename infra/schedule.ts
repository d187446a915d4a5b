/**
 * The reconcile schedule (EventBridge Scheduler, every `reconcileRateMinutes`) and the dead-letter
 * queue for passes that did not happen: invocations the scheduler could not deliver after its
 * retries, and (through the function's on-failure destination) passes that failed or expired.
 * A pass is superseded by the next one, so nothing is retried for longer than a minute.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The scheduler's retries of one delivery, inside the event's one-minute life. */
export const SCHEDULE_RETRIES = { attempts: 2, maxEventAge: Duration.minutes(1) } as const;

/** The dead-letter queue; created first, since the reconcile function sends its failures there. */
export class ReconcileDeadLetters extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the reconcile schedule and of the reconcile function; nothing consumes it, an alarm watches it.',
    });
    Validations.of(this.queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'The last stop for reconcile invocations that did not happen: nothing consumes it, so nothing could fail and be redriven. An operator reads it (docs/operations.md).',
    });
  }
}

/** Settings of the schedule. */
export interface ReconcileScheduleProps {
  reconcile: IFunction;
  deadLetterQueue: Queue;
  rateMinutes: number;
}

/** Runs the reconcile function on a fixed rate. */
export class ReconcileSchedule extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: ReconcileScheduleProps) {
    super(scope, id);
    // The scheduler's own role, so its one finding can be acknowledged here, where it is made.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const target = new LambdaInvoke(props.reconcile, {
      role,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: SCHEDULE_RETRIES.attempts,
      maxEventAge: SCHEDULE_RETRIES.maxEventAge,
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(props.rateMinutes)),
      description: 'pinebridge: one reconcile pass over every account',
      target,
    });
    const fn = props.reconcile.node.defaultChild;
    if (fn instanceof CfnFunction) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn)}.Arn>:*]`,
        reason:
          "CDK's grant to invoke the reconcile function also covers its versions and aliases (ARN:*): the role can invoke that one function and nothing else.",
      });
    }
  }
}
