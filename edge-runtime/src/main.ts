#!/usr/bin/env node
// outpost-edge-runtime: read the configuration, create the runtime, start it, run until SIGTERM/SIGINT, close.
import { parseCliFlags, USAGE } from './config/cli-flags.js';
import { loadRuntimeConfig } from './config/load-config.js';
import { createRuntime } from './create-runtime.js';
import { EXIT_CONFIG, RuntimeError } from './errors.js';

const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Configuration-class failures exit 78 (EX_CONFIG) so the gateway's supervisor does not restart in a loop. */
const CONFIG_CODES = new Set(['RT_ERR_CONFIG', 'RT_ERR_RULES', 'RT_ERR_SECRET']);

async function main(): Promise<void> {
  const flags = parseCliFlags(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadRuntimeConfig({ file: flags.configFile, overrides: flags.overrides });
  const runtime = createRuntime(config);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'shutting down: draining queued windows and alerts');
    const timer = setTimeout(() => {
      runtime.logger.error('shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    runtime.close().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (err: unknown) => {
        runtime.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await runtime.start();
}

main().catch((err: unknown) => {
  if (err instanceof RuntimeError) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exit(CONFIG_CODES.has(err.code) ? EXIT_CONFIG : 1);
  }
  process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
