/**
 * The Logger port over Powertools for AWS Lambda's Logger, for the Lambda entries: JSON lines with the
 * function's context (request id, cold start, function name and version) and the alert id of the
 * delivery being answered as `correlation_id`. Locally, ./logger.ts writes the same fields without
 * the Lambda context.
 */
import { Logger as Powertools } from '@aws-lambda-powertools/logger';
import type { Logger, LogLevel } from './logger.ts';

/** A Logger that also takes each invocation's Lambda context. */
export interface LambdaLogger extends Logger {
  /** Adds the invocation's context to every line until `endInvocation`. */
  startInvocation(context: LambdaContext | undefined): void;
  /** Forgets the invocation's keys and correlation id. */
  endInvocation(): void;
}

/** The Lambda context as Powertools reads it. */
export type LambdaContext = Parameters<Powertools['addContext']>[0];

const LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'SILENT' } as const;

/** A Powertools logger for `serviceName` at `level`. */
export function lambdaLogger(level: LogLevel, serviceName: string): LambdaLogger {
  const logger = new Powertools({ serviceName, logLevel: LEVELS[level] });
  // The correlation id last set, kept here: asking Powertools for it on every line costs a store lookup.
  let correlationId: string | undefined;
  const correlate = (fields: Record<string, unknown> | undefined) => {
    const alertId = fields?.alertId;
    if (typeof alertId === 'string' && correlationId !== alertId) {
      logger.setCorrelationId(alertId);
      correlationId = alertId;
    }
  };
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      correlate(fields);
      // Powertools copies the fields into the line and never changes them: no copy of ours is needed.
      if (fields === undefined) logger[level](message);
      else logger[level](message, fields);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    startInvocation: (context) => {
      if (context) logger.addContext(context);
    },
    // The correlation id is a temporary key: resetting the keys removes it too.
    endInvocation: () => {
      logger.resetKeys();
      correlationId = undefined;
    },
  };
}
