/**
 * Secrets from AWS Secrets Manager, fetched once per container and cached.
 *
 * Invariants:
 * - A secret's value never reaches a log line or an error: errors name the secret id and the SDK error's
 *   name only, and a JSON parse failure is not kept as a cause (V8's SyntaxError quotes the text).
 * - An id is fetched at most once per `ttlMs` (default 5 minutes); concurrent reads of an id share one
 *   request. A missing secret is cached too (as undefined), so it is not re-fetched on every request.
 * - A write replaces the cached value at once; a read that was in flight when the write happened cannot
 *   put the older value back.
 * - Stale on error: when a refresh after the TTL fails (network, throttling, 5xx, access denied), the
 *   previous answer is served, with a warning each time, until `maxStaleMs` (default 15 minutes) past
 *   its expiry; later reads fail with SecretStoreError. Every read past the TTL tries the refresh again.
 *   A value that comes back unusable (not a JSON object) is never hidden behind a stale one: it throws.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from '../zod.ts';
import { type SecretStore, SecretStoreError } from './secret-store.ts';

/** Where a stale-value warning goes; the app's Logger fits. */
export interface SecretsWarnLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Cache settings of a SecretsManagerStore. */
export interface SecretsManagerStoreOptions {
  /** How long a fetched value is served without asking again. Default 5 minutes. */
  ttlMs?: number | undefined;
  /** How long past its TTL a value may be served while refreshes fail. Default 15 minutes. */
  maxStaleMs?: number | undefined;
  /** The clock, epoch milliseconds. Default Date.now. */
  now?: (() => number) | undefined;
  /** Receives the stale-value warnings. Default console.warn. */
  log?: SecretsWarnLog | undefined;
}

/** Settings for createSecretsManagerStore. */
export interface SecretsManagerSettings extends SecretsManagerStoreOptions {
  region: string;
  /** An endpoint override (tests, LocalStack); dummy credentials are used with it. */
  endpoint?: string | undefined;
}

/** The default cache lifetime of a secret. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;
/** The default time past its TTL a secret may be served while Secrets Manager cannot be read. */
export const DEFAULT_SECRET_MAX_STALE_MS = 15 * 60_000;

type SecretJson = Record<string, unknown>;

interface Entry {
  value: SecretJson | undefined;
  fetchedAt: number;
}

const SecretJson = z.record(z.string(), z.unknown());

/** A SecretStore over AWS Secrets Manager with a per-container cache (see the module header). */
export class SecretsManagerStore implements SecretStore {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<SecretJson | undefined>>();
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  private readonly log: SecretsWarnLog;

  constructor(
    private readonly client: SecretsManagerClient,
    options: SecretsManagerStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.maxStaleMs = options.maxStaleMs ?? DEFAULT_SECRET_MAX_STALE_MS;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? { warn: (message, fields) => console.warn(message, fields) };
  }

  async getJson(secretId: string, options: { fresh?: boolean } = {}): Promise<SecretJson | undefined> {
    const entry = this.cache.get(secretId);
    if (!options.fresh && entry && this.now() - entry.fetchedAt < this.ttlMs) return copy(entry.value);
    let pending = this.inflight.get(secretId);
    if (!pending) {
      const refresh = this.refresh(secretId, entry).finally(() => {
        if (this.inflight.get(secretId) === refresh) this.inflight.delete(secretId);
      });
      this.inflight.set(secretId, refresh);
      pending = refresh;
    }
    return copy(await pending);
  }

  async putJson(secretId: string, value: SecretJson): Promise<void> {
    const secretString = JSON.stringify(value);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new SecretStoreError(`secret "${secretId}" does not exist; create it before writing`, {
          cause: error,
        });
      }
      throw new SecretStoreError(`could not write secret "${secretId}" (${errorName(error)})`, {
        cause: error,
      });
    }
    // What a fresh read would return; reads started before the write keep their own answer.
    this.cache.set(secretId, { value: parseSecretJson(secretId, secretString), fetchedAt: this.now() });
    this.inflight.delete(secretId);
  }

  /** Releases the SDK client's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private async refresh(secretId: string, previous: Entry | undefined): Promise<SecretJson | undefined> {
    const startedAt = this.now();
    let found: GetSecretValueCommandOutput | undefined;
    try {
      found = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (error) {
      // Also what Secrets Manager answers for a secret that has no value yet.
      if (!(error instanceof ResourceNotFoundException)) return this.stale(secretId, previous, error);
    }
    if (found?.SecretString === undefined && found?.SecretBinary !== undefined) {
      throw new SecretStoreError(`secret "${secretId}" holds binary data, not a JSON object`);
    }
    const secretString = found?.SecretString;
    const value = secretString === undefined ? undefined : parseSecretJson(secretId, secretString);
    // A write since this read began replaced the entry: keep the written value.
    if (this.cache.get(secretId) === previous) this.cache.set(secretId, { value, fetchedAt: startedAt });
    return value;
  }

  private stale(secretId: string, previous: Entry | undefined, error: unknown): SecretJson | undefined {
    const ageMs = this.now() - (previous?.fetchedAt ?? Number.NEGATIVE_INFINITY);
    if (previous === undefined || ageMs >= this.ttlMs + this.maxStaleMs) {
      throw new SecretStoreError(`could not read secret "${secretId}" (${errorName(error)})`, {
        cause: error,
      });
    }
    this.log.warn('secret refresh failed: serving the cached value', {
      secretId,
      ageMs,
      maxStaleMs: this.maxStaleMs,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return previous.value;
  }
}

/** Builds the Secrets Manager client once and a cached store over it. */
export function createSecretsManagerStore(settings: SecretsManagerSettings): SecretsManagerStore {
  const client = new SecretsManagerClient({
    region: settings.region,
    maxAttempts: 3,
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return new SecretsManagerStore(client, settings);
}

function parseSecretJson(secretId: string, text: string): SecretJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretStoreError(`secret "${secretId}" is not valid JSON`);
  }
  const object = SecretJson.safeParse(parsed);
  if (!object.success) throw new SecretStoreError(`secret "${secretId}" is not a JSON object`);
  return object.data;
}

function copy(value: SecretJson | undefined): SecretJson | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
