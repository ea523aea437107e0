import type { Command } from 'commander';
import { loadGatewayConfig } from '../config/load-config.js';
import { createGateway } from '../create-gateway.js';
import { cliOverrides, type CommonFlags } from './common-flags.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

interface StartFlags extends CommonFlags {
  mqttPort?: string;
  wsPort?: string;
  httpPort?: string;
  host?: string;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the gateway: MQTT broker, durable ingest and the local HTTP API')
    .option('--mqtt-port <port>', 'MQTT/TCP port (0 = pick a free one)')
    .option('--ws-port <port>', 'MQTT/WebSocket port, or "off"')
    .option('--http-port <port>', 'HTTP API port (0 = pick a free one)')
    .option('--host <address>', 'bind address for MQTT and HTTP')
    .action(async (flags: StartFlags, command: Command) => {
      const common = command.optsWithGlobals() as CommonFlags;
      const config = loadGatewayConfig({
        file: common.config,
        overrides: cliOverrides(common, {
          mqtt: { port: flags.mqttPort, wsPort: flags.wsPort, host: flags.host },
          http: { port: flags.httpPort, host: flags.host },
        }),
      });
      let stopping = false;
      let startup: Promise<unknown> = Promise.resolve();
      // SIGTERM, SIGINT, and power.criticalAction "shutdown" after the critical flush: close, then exit 0.
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        gateway.logger.info({ signal }, 'shutting down: committing queued readings');
        const timer = setTimeout(() => {
          gateway.logger.error('shutdown timed out');
          process.exit(1);
        }, SHUTDOWN_TIMEOUT_MS);
        // A critical power report can arrive while start() still opens the listeners: close after it.
        startup.then(() => gateway.close()).then(
          () => {
            clearTimeout(timer);
            process.exit(0);
          },
          (err: unknown) => {
            gateway.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      const gateway = await createGateway(config, { onFatal: () => process.exit(70), onPowerShutdown: () => stop('power-critical') });
      const starting = gateway.start();
      startup = starting.catch(() => {});
      const addresses = await starting;
      const host = config.mqtt.host === '0.0.0.0' ? '127.0.0.1' : config.mqtt.host;
      const lines = [
        `outpost-gateway ready (data in ${config.dataDir})`,
        `  MQTT        mqtt://${host}:${addresses.mqttPort}`,
        addresses.wsPort !== null ? `  MQTT/WS     ws://${host}:${addresses.wsPort}` : null,
        addresses.tlsPort !== null ? `  MQTT/TLS    mqtts://${host}:${addresses.tlsPort}` : null,
        `  HTTP API    http://${host}:${addresses.httpPort}  (Bearer token in ${gateway.apiToken.file ?? 'the configured http.apiToken'})`,
        gateway.apiToken.created ? `  API token   ${gateway.apiToken.value}   (generated now; shown once)` : null,
        `  Web UI      http://${host}:${addresses.httpPort}/`,
        gateway.ui.adminPassword ? `  UI login    admin / ${gateway.ui.adminPassword}   (generated now; shown once; set ui.adminPassword to choose it)` : null,
      ];
      process.stderr.write(`${lines.filter(Boolean).join('\n')}\n`);

      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
