/**
 * The zod the app's schemas are written with: `zod/mini`, whose functions a bundler keeps only when
 * used (classic `zod` brings all of its 450 KB into a bundle), with the English issue messages
 * classic zod sets by default and `zod/mini` leaves out, so configuration and alert errors read the
 * same either way. Import it as a namespace: `import * as z from '../zod.ts'`.
 *
 * Invariant: importing this module sets zod's locale to English for the whole process.
 */
import { en } from 'zod/locales';
import { config, type core, pipe, transform, type ZodMiniPipe, type ZodMiniTransform } from 'zod/mini';

export * from 'zod/mini';

config(en());

/** Classic zod's `preprocess`, which `zod/mini` leaves out: `fn` runs on the input before `schema`. */
export function preprocess<T extends core.$ZodType>(
  fn: (value: unknown) => unknown,
  schema: T,
): ZodMiniPipe<ZodMiniTransform<unknown, unknown>, T> {
  return pipe<ZodMiniTransform<unknown, unknown>, T>(transform(fn), schema);
}
