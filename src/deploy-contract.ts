/**
 * What the deployed stack (infra/) and the code agree on: the environment variables the stack sets
 * and src/config.ts reads, the service and dimension names the Lambda entries write metrics with,
 * and the AWS calls the code makes. The stack imports these names, and tests/infra checks each
 * against the code that uses it, so infra and code cannot drift apart silently.
 */

/** Environment variables the stack sets on both functions (read by loadConfig in src/config.ts). */
export const DEPLOY_ENV = {
  /** `dynamodb.tableName`. */
  tableName: 'DYNAMODB_TABLE',
  /** `broker.kind` of the default account. */
  broker: 'BROKER',
  /** `secrets.appSecretId`: the secret holding `{ webhookPassphrase, apiToken }`. */
  appSecretId: 'APP_SECRET_ID',
  /** `broker.alpaca.secretId`: the secret holding `{ keyId, secretKey }`. */
  alpacaSecretId: 'PINEBRIDGE__BROKER__ALPACA__SECRET_ID',
  /** `broker.schwab.secretId`: the secret holding `{ appKey, appSecret, callbackUrl, accountNumber?, tokens? }`. */
  schwabSecretId: 'PINEBRIDGE__BROKER__SCHWAB__SECRET_ID',
  /** `webhook.ipAllowlist.enabled`: always true when deployed. */
  ipAllowlistEnabled: 'PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__ENABLED',
  /** `webhook.ipAllowlist.ips`: set only when addresses are added to TradingView's. */
  ipAllowlistIps: 'PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__IPS',
  /** `log.level`. */
  logLevel: 'PINEBRIDGE__LOG__LEVEL',
  /** The JSON configuration file, when one is deployed with the code. */
  configFile: 'PINEBRIDGE_CONFIG',
} as const;

/** The `service` dimension each Lambda entry writes its metrics with (functions/*.ts). */
export const METRIC_SERVICE = {
  webhook: 'webhook',
  reconcile: 'reconcile',
} as const;

/** The dimension names metrics are recorded with (src/app/metrics.ts documents which metric has which). */
export const METRIC_DIMENSION = {
  /** Added by Powertools to every metric: the value of METRIC_SERVICE. */
  service: 'service',
  account: 'Account',
  status: 'Status',
  code: 'Code',
  errorClass: 'ErrorClass',
} as const;

/** The DynamoDB calls the Lambda code makes on the table (document client commands, as IAM actions). */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
] as const;

/** The Secrets Manager call that reads a secret. */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
/** The Secrets Manager call that writes one (Schwab's rotating tokens). */
export const SECRET_WRITE_ACTIONS = ['secretsmanager:PutSecretValue'] as const;
