/**
 * The Lambda entry logs one JSON line per alert (Powertools Logger: info to stdout, warn and error to
 * stderr) and writes its metrics as EMF lines to stdout, through Consoles of its own. The benchmark
 * keeps that work in the measured path, but the lines go to a counter instead of the terminal: the
 * bytes per alert are reported (CloudWatch Logs bills them), and the report stays readable.
 */

/** A diversion of process.stdout and process.stderr; `restore` puts the real streams back. */
export interface StdoutSink {
  bytes(): number;
  restore(): void;
}

/** The real stderr, for the benchmark's own progress lines while the streams are diverted. */
export const realStderrWrite = process.stderr.write.bind(process.stderr);

/** Sends everything written to stdout and stderr to a byte counter until `restore`. */
export function divertStdout(): StdoutSink {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let bytes = 0;
  const counting = (chunk: unknown, encodingOrDone?: unknown, done?: unknown): boolean => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
    const callback = typeof encodingOrDone === 'function' ? encodingOrDone : done;
    if (typeof callback === 'function') queueMicrotask(() => callback());
    return true;
  };
  process.stdout.write = counting as typeof process.stdout.write;
  process.stderr.write = counting as typeof process.stderr.write;
  return {
    bytes: () => bytes,
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}
