/**
 * The deployment's settings, read from CDK context (`cdk.json`, then `-c key=value`), validated with
 * zod: every problem is reported at once, before anything is built. Values from `-c` arrive as text,
 * values from cdk.json as JSON, so numbers and booleans accept both.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')]);
const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/,
    'must be a complete secret ARN (ending in the 6-character suffix): aws secretsmanager describe-secret --query ARN',
  );
const ipList = z
  .union([z.array(z.string()), z.string().transform((text) => text.split(','))])
  .transform((ips) => ips.map((ip) => ip.trim()).filter(Boolean))
  .pipe(z.array(z.union([z.ipv4(), z.ipv6()])));

const SettingsSchema = z.strictObject({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'letters, digits and - only, starting with a letter')
    .default('Pinebridge'),
  throwaway: flag.default(false),
  broker: z.enum(['paper', 'alpaca', 'schwab']).optional(),
  config: z.string().min(1).optional(),
  appSecretArn: secretArn.optional(),
  alpacaSecretArn: secretArn.optional(),
  schwabSecretArn: secretArn.optional(),
  reconcileRateMinutes: integer(1, 60).default(1),
  webhookConcurrency: integer(1, 1000).default(10),
  logRetentionDays: z.coerce
    .number()
    .refine(
      (days) => typeof RetentionDays[days] === 'string',
      'must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)',
    )
    .default(30),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  allowIps: ipList.default([]),
  inFlightAlarmMinutes: integer(1, 1440).default(5),
  deniedAlarmThreshold: integer(1, 100_000).default(10),
});

/** The validated deployment settings. */
export type Settings = z.infer<typeof SettingsSchema>;

/** The context keys the stack reads. */
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as ReadonlyArray<keyof Settings>;

/** Raised when the context holds invalid settings; lists every problem. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly problems: string[]) {
    super(`invalid deployment settings (cdk.json context or -c):\n  - ${problems.join('\n  - ')}`);
  }
}

/** Validates raw context values (undefined where unset); throws SettingsError listing every problem. */
export function parseSettings(raw: Readonly<Record<string, unknown>>): Settings {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const result = SettingsSchema.safeParse(present);
  if (result.success) return result.data;
  throw new SettingsError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

/** Reads every setting from the construct tree's context. */
export function settingsFromContext(node: Node): Settings {
  return parseSettings(Object.fromEntries(SETTING_KEYS.map((key) => [key, node.tryGetContext(key)])));
}
