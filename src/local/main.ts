/**
 * `npm start`: runs pinebridge locally until interrupted.
 */
import { ConfigError } from '../config.ts';
import { SecretStoreError } from '../secrets/secret-store.ts';
import { banner } from './banner.ts';
import { startLocalServer } from './local-server.ts';

try {
  const server = await startLocalServer(process.env);
  process.stdout.write(`${banner(server)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof SecretStoreError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
