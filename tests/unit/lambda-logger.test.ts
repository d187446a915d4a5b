import { describe, expect, it, vi } from 'vitest';
import { lambdaLogger } from '../../src/app/lambda-logger.ts';

/** Captures what is written to stdout and stderr (warnings and errors) while `run` runs, as JSON lines. */
function logLines(run: () => void): Array<Record<string, unknown>> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const CONTEXT = {
  functionName: 'pinebridge-webhook',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pinebridge-webhook',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/pinebridge-webhook',
  logStreamName: '2026/11/24/[$LATEST]abc',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 2000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

describe('lambdaLogger', () => {
  it('writes JSON lines with the invocation context and the alert id as correlation id', () => {
    // Prepare
    const log = lambdaLogger('info', 'webhook');
    log.startInvocation(CONTEXT);

    // Act
    const lines = logLines(() => {
      log.info('alert answered', { alertId: 'mabc123def456', status: 'accepted' });
      log.warn('order outcome unknown at the deadline', { alertId: 'mabc123def456' });
    });

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'alert answered',
      service: 'webhook',
      correlation_id: 'mabc123def456',
      function_request_id: CONTEXT.awsRequestId,
      status: 'accepted',
    });
    expect(lines[1]).toMatchObject({ level: 'WARN', correlation_id: 'mabc123def456' });
  });

  it('forgets the correlation id when the invocation ends', () => {
    // Prepare
    const log = lambdaLogger('info', 'webhook');
    log.startInvocation(CONTEXT);
    logLines(() => log.info('alert answered', { alertId: 'first-alert-id' }));
    log.endInvocation();

    // Act
    const [line] = logLines(() => log.info('reconcile pass'));

    // Assess
    expect(line?.correlation_id).toBeUndefined();
  });

  it('writes nothing below its level', () => {
    // Prepare
    const log = lambdaLogger('warn', 'reconcile');

    // Act
    const lines = logLines(() => {
      log.debug('quiet pass');
      log.info('reconcile pass');
      log.error('reconcile: order failed', { clientOrderId: 'pb-x-1' });
    });

    // Assess
    expect(lines.map((line) => line.level)).toEqual(['ERROR']);
  });
});
