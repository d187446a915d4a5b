/**
 * Where secrets live: AWS Secrets Manager on AWS, a file in DATA_DIR locally. A secret is one JSON
 * object; callers parse it with their own zod schema. Values are never logged.
 */

/** A place that holds JSON secrets by id (a Secrets Manager name or ARN, or a local file name). */
export interface SecretStore {
  /**
   * The secret's JSON object, or undefined when the secret does not exist or holds no value yet.
   * With `fresh`, the value is read from the source, not from a cache: for values another process
   * may have rewritten (Schwab's rotating tokens).
   */
  getJson(secretId: string, options?: { fresh?: boolean }): Promise<Record<string, unknown> | undefined>;
  /** Writes a new value (a new version on Secrets Manager); later reads see it. */
  putJson(secretId: string, value: Record<string, unknown>): Promise<void>;
}

/** Raised when a secret cannot be read or written; the message never carries the secret's value. */
export class SecretStoreError extends Error {
  override readonly name: string = 'SecretStoreError';
}
