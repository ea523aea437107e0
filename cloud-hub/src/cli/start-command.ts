import type { Command } from 'commander';
import { loadHubConfig } from '../config/load-config.js';
import { createHub } from '../create-hub.js';
import { parseRole, runRole } from '../ingest-log/run-role.js';
import { type CommonFlags, cliOverrides } from './common-flags.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

interface StartFlags {
  grpcPort?: string;
  httpPort?: string;
  host?: string;
  role?: string;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the hub: gRPC sync service and the admin HTTP API over the embedded SQLite store')
    .option('--grpc-port <port>', 'gRPC sync port (0 = pick a free one)')
    .option('--http-port <port>', 'HTTP API port (0 = pick a free one)')
    .option('--host <address>', 'bind address for gRPC and HTTP')
    .option('--role <role>', 'all (default): the whole hub; ingest: sync streams into the Kafka ingest log; worker: apply the log to the database', 'all')
    .action(async (flags: StartFlags, command: Command) => {
      const common = command.optsWithGlobals() as CommonFlags;
      const config = loadHubConfig({
        file: common.config,
        overrides: cliOverrides(common, { sync: { port: flags.grpcPort, host: flags.host }, http: { port: flags.httpPort, host: flags.host } }),
      });
      const role = parseRole(flags.role);
      // Scale-out roles over Kafka; the embedded hub (role all, in-process log) goes on as before.
      if (role !== 'all' || config.ingestLog.kind === 'kafka') return runRole(config, role);
      const hub = createHub(config);
      const { grpcPort, httpPort } = await hub.start();
      const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
      const grpcHost = config.sync.host === '0.0.0.0' ? '127.0.0.1' : config.sync.host;
      const tls = Boolean(config.sync.tlsCertFile && config.sync.tlsKeyFile);
      const lines = [
        `outpost-hub ready (hub ${hub.store.hubId}, data in ${config.dataDir})`,
        `  gRPC sync   ${grpcHost}:${grpcPort}  (${tls ? 'TLS' : 'plaintext'})`,
        `  HTTP API    http://${host}:${httpPort}  (Bearer token in ${hub.apiToken.file ?? 'the configured http.apiToken'})`,
        hub.apiToken.created ? `  API token   ${hub.apiToken.value}   (generated now; shown once)` : null,
        '  enroll a gateway: outpost-hub tokens create',
      ];
      process.stderr.write(`${lines.filter(Boolean).join('\n')}\n`);

      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        hub.logger.info({ signal }, 'shutting down');
        const timer = setTimeout(() => {
          hub.logger.error('shutdown timed out');
          process.exit(1);
        }, SHUTDOWN_TIMEOUT_MS);
        hub.close().then(
          () => {
            clearTimeout(timer);
            process.exit(0);
          },
          (err: unknown) => {
            hub.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
