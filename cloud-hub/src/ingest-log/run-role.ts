import type { HubConfig } from '../config/config-schema.js';
import { HubError } from '../errors.js';
import { createRootLogger } from '../observability/logger.js';
import { HUB_ROLES, type HubRole, startHubRole } from './hub-roles.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

/** Parse `--role`; a wrong value stops startup with HUB_ERR_CONFIG. */
export function parseRole(value: string | undefined): HubRole {
  const role = value ?? 'all';
  if (!(HUB_ROLES as readonly string[]).includes(role)) throw new HubError('HUB_ERR_CONFIG', `--role: got "${role}", expected one of ${HUB_ROLES.join(', ')}`);
  return role as HubRole;
}

/** `outpost-hub start --role …` over a Kafka ingest log: start the role, print where it listens, stop on a signal. */
export async function runRole(config: HubConfig, role: HubRole): Promise<void> {
  const logger = createRootLogger(config.log.level);
  let stop = (_reason: string, _code: number): void => {};
  const running = await startHubRole(config, role, { logger, onFatal: () => stop('worker stopped', 1) });
  const lines = [`outpost-hub ${role} ready (ingest log: ${config.ingestLog.kind}, ${running.log.client}, topic ${config.ingestLog.topic}, group ${config.ingestLog.groupId})`];
  if (running.addresses && running.hub) {
    lines.push(`  gRPC sync   ${config.sync.host}:${running.addresses.grpcPort}`, `  HTTP API    ${config.http.host}:${running.addresses.httpPort}`);
    if (running.hub.apiToken.created) lines.push(`  API token   ${running.hub.apiToken.value}   (generated now; shown once)`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  let stopping = false;
  stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    running.close().then(
      () => {
        clearTimeout(timer);
        process.exit(code);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
}
