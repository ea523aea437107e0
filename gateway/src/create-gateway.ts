import { mkdirSync } from 'node:fs';
import { createBroker } from './broker/create-broker.js';
import type { GatewayConfig } from './config/config-schema.js';
import { createHttp } from './http/create-http.js';
import { createIngest, type Ingest } from './ingest/ingest.js';
import { createGatewayEvents } from './observability/gateway-events.js';
import { createGatewayMetrics } from './observability/gateway-metrics.js';
import { type Logger, createRootLogger } from './observability/logger.js';
import { migrate, openDatabase, storeFile } from './store/database.js';
import { DeviceRegistry } from './store/device-registry.js';
import { createReadingsQuery } from './store/readings-query.js';
import { loadOrCreateSecretFile } from '@outpost/service-kit';
import { StoreWriter } from './store/store-writer.js';
import { type Power, createPower } from './power/create-power.js';
import { createGatewayPower } from './power/gateway-power.js';
import { type ReadingsFeed, createReadingsFeed } from './runtime/readings-feed.js';
import { createRuntimeSupervisor } from './runtime/runtime-supervisor.js';
import { type Sync, createSync } from './sync/create-sync.js';
import { type Ui, createUi } from './ui/create-ui.js';
import { type LogRing, createLogRing, teeToLogRing } from './ui/log-ring.js';

export interface GatewayAddresses {
  mqttPort: number;
  wsPort: number | null;
  tlsPort: number | null;
  httpPort: number;
}

export interface CreateGatewayOptions {
  logger?: Logger;
  /** Called if the store writer dies; the process should exit so its supervisor restarts it. */
  onFatal?: (err: Error) => void;
  /** Recent log lines for the UI's diagnostics page; give it with your own `logger` to tee that logger into it. */
  logRing?: LogRing;
  /**
   * Runs `power.criticalAction: "shutdown"` after the critical flush: the process runner closes the gateway
   * as on SIGTERM and exits 0. Without it (a gateway embedded in another process) the action is reported
   * as unavailable and the gateway keeps running.
   */
  onPowerShutdown?: () => void;
}

/** Wire a gateway from its configuration: store, broker, ingest and HTTP API. `start()` opens the sockets. */
export async function createGateway(config: GatewayConfig, options: CreateGatewayOptions = {}) {
  const logRing = options.logRing ?? createLogRing();
  const logger = options.logger ?? createRootLogger(config.log.level, teeToLogRing(logRing));
  mkdirSync(config.dataDir, { recursive: true });
  const file = storeFile(config.dataDir);
  const db = openDatabase(file, { synchronous: config.store.synchronous });
  migrate(db);
  const registry = new DeviceRegistry(db, { scryptCost: config.auth.scryptCost });
  const readings = createReadingsQuery(db);
  const apiToken = config.http.apiToken ? { value: config.http.apiToken, created: false, file: null } : loadOrCreateSecretFile(config.dataDir, 'api-token');
  const internal = loadOrCreateSecretFile(config.dataDir, 'internal-secret');

  const metrics = createGatewayMetrics();
  let sync: Sync | null = null;
  let ui: Ui | null = null;
  let feed: ReadingsFeed | null = null;
  let power: Power | null = null;
  const events = createGatewayEvents(logger, metrics);
  const writer = await StoreWriter.start(
    {
      file,
      synchronous: config.store.synchronous,
      maxBytes: config.store.maxBytes,
      maxAgeMs: config.store.maxAgeDays * 86_400_000,
      retentionIntervalMs: config.store.retentionIntervalMs,
      deadLetterMaxRows: config.ingest.deadLetterMaxRows,
      syncRawReadings: config.sync.rawReadings,
      batchMaxRows: config.ingest.batchMaxRows,
      batchMaxDelayMs: config.ingest.batchMaxDelayMs,
      maxQueuedRows: config.ingest.maxQueuedRows,
    },
    {
      onCommit: (rows, commitMs, outboxAdded, readingIds) => {
        events.batchCommitted(rows.length, commitMs);
        sync?.onCommit(rows, outboxAdded);
        ui?.onCommit(rows);
        feed?.onCommit(rows, readingIds);
        power?.onCommit(rows);
      },
      onPaused: () => events.producerPaused(),
      onFatal: (err) => {
        logger.fatal({ err }, 'store writer failed');
        options.onFatal?.(err);
      },
    },
  );

  let ingest: Ingest | null = null;
  const broker = await createBroker({ config, registry, events, metrics, logger, internalSecret: internal.value, ingest: () => ingest!, localIntake: () => sync?.localIntake ?? null });
  const devicePower = createPower({
    db,
    metrics,
    logger,
    publish: (topic, payload, done) => broker.broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err) => done(err ?? undefined)),
  });
  power = devicePower;
  ingest = createIngest(
    { maxPayloadBytes: config.limits.maxPayloadBytes, deadLetterPayloadBytes: config.ingest.deadLetterPayloadBytes },
    { writer, events, metrics, sendToDevice: broker.sendToDevice, storedRecently: readings.storedRecently, adaptive: devicePower.adaptive },
  );

  // The gateway's power mode (edge-runtime chooses it): sync pacing, log level, the critical flush.
  const gatewayPower = createGatewayPower({ broker: broker.broker, config, writer, logger, events, metrics, shutdown: options.onPowerShutdown });
  sync = createSync({
    config,
    db,
    writer,
    broker: broker.broker,
    events,
    metrics,
    logger,
    publishConfig: (deviceId, deviceConfig) => devicePower.configs.hubDesired(deviceId, deviceConfig),
    power: gatewayPower,
  });
  ui = await createUi({ config, db, logger, metrics, broker: broker.broker, logRing, power: gatewayPower });
  feed = createReadingsFeed(config.runtime, broker.broker, metrics);
  let mqttUrl = '';
  const supervisor = createRuntimeSupervisor({ config, metrics, logger, mqttUrl: () => mqttUrl });

  let listening = false;
  const http = createHttp({
    logger,
    apiToken: apiToken.value,
    registry,
    readings,
    writer,
    metrics,
    refusalCounts: events.refusalCounts,
    isListening: () => listening,
    isConnected: broker.isConnected,
    connectedDevices: broker.connectedDevices,
    revoked: broker.revoked,
    syncStatus: () => sync!.status(),
    runtime: {
      status: () => ({ supervisor: supervisor.status(), feed: feed!.status(), runtime: ui!.parts.runtime.runtime }),
      publish: (topic, payload) =>
        new Promise<void>((resolve, reject) => broker.broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()))),
    },
    ui: ui.parts,
    power: devicePower,
    powerMode: gatewayPower,
  });

  return {
    config,
    logger,
    registry,
    writer,
    sync,
    /** Device power: reporting policies, adaptive reporting, battery forecasts. */
    power: devicePower,
    /** The gateway's own power mode, as edge-runtime reports it, and what it changes here. */
    powerMode: gatewayPower,
    /** The edge-runtime child process (disabled with runtime.enabled = false). */
    runtime: supervisor,
    /** The API token, and whether it was generated just now (then show it once). */
    apiToken,
    internalSecret: internal.value,
    /** The technician UI; `ui.adminPassword` is set when the first admin's password was generated now (show it once). */
    ui,
    async start(): Promise<GatewayAddresses> {
      devicePower.start();
      sync!.start();
      const mqtt = await broker.listen();
      const host = config.mqtt.host === '0.0.0.0' || config.mqtt.host === '::' ? '127.0.0.1' : config.mqtt.host;
      mqttUrl = `mqtt://${host.includes(':') ? `[${host}]` : host}:${mqtt.mqttPort}`;
      supervisor.start();
      await http.listen({ port: config.http.port, host: config.http.host });
      const address = http.server.address();
      const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
      listening = true;
      const addresses = { mqttPort: mqtt.mqttPort, wsPort: mqtt.wsPort, tlsPort: mqtt.tlsPort, httpPort };
      ui!.setMqttPorts(addresses);
      logger.info({ event: 'ready', ...addresses, dataDir: config.dataDir }, 'gateway ready');
      return addresses;
    },
    /** Stop taking connections, commit everything already received, close the store. */
    async close(): Promise<void> {
      listening = false;
      await http.close();
      await gatewayPower.close(); // a critical flush under way finishes first
      // First, while the broker still runs: edge-runtime publishes its last alerts and persists its state.
      await supervisor.close();
      feed!.close();
      await sync!.stop();
      await broker.close();
      await writer.flush();
      sync!.flushSummaries();
      await writer.close();
      sync!.markCleanShutdown();
      db.close();
      logger.info({ event: 'stopped' }, 'gateway stopped');
    },
  };
}

export type Gateway = Awaited<ReturnType<typeof createGateway>>;
