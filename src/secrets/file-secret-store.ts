/**
 * Secrets as JSON files in a local directory, one file per secret: `<dir>/<encoded id>.json`, mode 0600.
 *
 * Invariants:
 * - The file name encodes the id injectively: letters, digits, `-` and `_` stay, every other character
 *   becomes `%XX` (its UTF-8 bytes), so `a/b`, `a_b` and `../x` are distinct files inside the directory.
 * - A write goes to a temporary file in the same directory, is flushed, then renamed over the old one:
 *   a reader sees the old value or the new one, never a partial file.
 * - Errors name the secret id and never carry the file's content.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from '../zod.ts';
import { type SecretStore, SecretStoreError } from './secret-store.ts';

const SecretJson = z.record(z.string(), z.unknown());

/** A SecretStore over JSON files in one directory (local mode). */
export class FileSecretStore implements SecretStore {
  constructor(private readonly dir: string) {}

  async getJson(secretId: string): Promise<Record<string, unknown> | undefined> {
    const path = this.pathOf(secretId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isFsError(error, 'ENOENT')) return undefined;
      throw new SecretStoreError(`could not read secret "${secretId}" from ${path}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not kept as the cause: V8's SyntaxError quotes the text.
      throw new SecretStoreError(`secret "${secretId}" in ${path} is not valid JSON`);
    }
    const object = SecretJson.safeParse(parsed);
    if (!object.success) throw new SecretStoreError(`secret "${secretId}" in ${path} is not a JSON object`);
    return object.data;
  }

  async putJson(secretId: string, value: Record<string, unknown>): Promise<void> {
    const path = this.pathOf(secretId);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw new SecretStoreError(`could not write secret "${secretId}" to ${path}`, { cause: error });
    }
  }

  /** The file that holds `secretId`. */
  pathOf(secretId: string): string {
    let name: string;
    try {
      name = encodeSecretId(secretId);
    } catch {
      throw new SecretStoreError('a secret id must be well-formed text');
    }
    if (name.length === 0) throw new SecretStoreError('a secret id must not be empty');
    return join(this.dir, `${name}.json`);
  }
}

/** The file-name form of a secret id: `[A-Za-z0-9_-]` kept, everything else as `%XX` UTF-8 bytes. */
export function encodeSecretId(secretId: string): string {
  return encodeURIComponent(secretId).replace(
    /[.!~*'()]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function isFsError(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
