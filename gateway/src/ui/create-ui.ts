import type { Aedes } from 'aedes';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Counter } from 'prom-client';
import { localTopics } from '@outpost/protocols';
import type { GatewayConfig } from '../config/config-schema.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayPower } from '../power/gateway-power.js';
import type { Db } from '../store/database.js';
import type { WriteRow } from '../store/write-rows.js';
import { createAccounts } from './accounts.js';
import { createAlertsView } from './alerts-view.js';
import { createCommands } from './commands.js';
import { createLiveFeed } from './live-feed.js';
import type { LogRing } from './log-ring.js';
import { watchRuntimeStatus } from './runtime-status.js';
import { createSessions } from './sessions.js';
import type { UiParts } from './ui-context.js';

/** Where `npm run build:ui` puts the bundle (gateway/ui/build), from src/ui or dist/ui alike. */
export const UI_ASSETS_DIR = fileURLToPath(new URL('../../ui/build/', import.meta.url));

export interface CreateUiDeps {
  config: GatewayConfig;
  db: Db;
  logger: Logger;
  metrics: GatewayMetrics;
  broker: Aedes;
  logRing: LogRing;
  /** The gateway's power mode (owned by power/gateway-power.ts). */
  power: GatewayPower;
}

/**
 * The technician UI's state: accounts (the first admin is created here), sessions, alerts view,
 * commands, the live feed and the runtime status. `adminPassword` is set when one was generated now:
 * show it once.
 */
export async function createUi(deps: CreateUiDeps) {
  const { config, db, broker } = deps;
  const accounts = createAccounts(db, { scryptCost: config.auth.scryptCost, lockoutAfterFailures: config.ui.lockoutAfterFailures, lockoutMs: config.ui.lockoutMs });
  const adminPassword = await accounts.ensureAdmin(config.ui.adminPassword);
  let mqttPorts: ReturnType<UiParts['mqttPorts']> = null;
  const live = createLiveFeed();
  const parts: UiParts = {
    config,
    db,
    accounts,
    sessions: createSessions(db, { ttlMs: config.ui.sessionTtlMs }),
    // Labels also go to edge-runtime's federated trainer (local/v1/fl/labels), which keeps its own training windows.
    alerts: createAlertsView(db, (l) =>
      broker.publish({ cmd: 'publish', topic: localTopics.flLabels(), payload: Buffer.from(JSON.stringify({ v: 1, ...l })), qos: 1, retain: false, dup: false }, () => {}),
    ),
    commands: createCommands(db, (topic, payload) => new Promise((resolve, reject) => broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())))),
    live,
    logRing: deps.logRing,
    runtime: watchRuntimeStatus(broker),
    power: deps.power,
    loginCounter: new Counter({ name: 'outpost_gw_ui_logins_total', help: 'Technician UI logins by outcome (ok, bad-credentials, locked)', labelNames: ['outcome'] as const, registers: [deps.metrics.registry] }),
    assetsDir: existsSync(`${UI_ASSETS_DIR}app.js`) ? UI_ASSETS_DIR : null,
    mqttPorts: () => mqttPorts,
    startedAt: Date.now(),
  };
  if (!parts.assetsDir) deps.logger.warn({ event: 'ui-not-built', dir: UI_ASSETS_DIR }, 'technician UI bundle missing; run npm run build:ui');
  return {
    parts,
    adminPassword,
    onCommit: (rows: readonly WriteRow[]) => live.onCommit(rows),
    setMqttPorts(ports: NonNullable<ReturnType<UiParts['mqttPorts']>>): void {
      mqttPorts = ports;
    },
  };
}

export type Ui = Awaited<ReturnType<typeof createUi>>;
