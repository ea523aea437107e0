import type { Aedes } from 'aedes';
import { DATA_CLASS_NAMES, type DeviceConfig } from '@outpost/protocols';
import type { GatewayConfig } from '../config/config-schema.js';
import type { GatewayEvents } from '../observability/gateway-events.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/database.js';
import type { StoreWriter } from '../store/store-writer.js';
import type { WriteRow } from '../store/write-rows.js';
import { ConnectionManager, type SyncState, type SyncStatus } from './agent/connection-manager.js';
import { createFlRelay } from './agent/fl-relay.js';
import { createHubDownlink } from './agent/hub-downlink.js';
import { createAlertsIntake } from './intake/alerts-intake.js';
import type { BacklogStats } from './outbox/outbox-types.js';
import { createSummaryFeed } from './summaries/summary-feed.js';
import type { GatewayPower } from '../power/gateway-power.js';

const STATES: SyncState[] = ['idle', 'enrolling', 'connecting', 'streaming', 'backoff', 'stopped'];

export interface SyncDeps {
  config: GatewayConfig;
  db: Db;
  writer: StoreWriter;
  broker: Aedes;
  events: GatewayEvents;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Where the hub's desired device configs go (merged with local reporting policies); published as is without it. */
  publishConfig?: (deviceId: string, config: DeviceConfig) => void;
  /** The gateway's power mode: how to pace sending, what to tell the hub. Continuous and unreported without it. */
  power?: Pick<GatewayPower, 'pace' | 'hubStatus' | 'onChange' | 'current' | 'effects'>;
}

export type SyncView = SyncStatus &
  BacklogStats & {
    summaries: { openWindows: number; closedEarly: number; written: number };
    downlink: Record<string, number>;
    /** Tasks relayed between the hub and edge-runtime's trainer (docs/sync-protocol.md). */
    federatedLearning: Record<string, number>;
    /** Why the backlog may not drain: the power mode's pacing (docs/power.md). */
    power: { mode: string | null; simulated: boolean | null; intervalMs: number; maxBatchRecords: number | null; deferredClasses: string[] };
  };

/**
 * Everything between committed data and the hub: window summaries from committed readings, the alerts
 * intake, the hub downlink and the connection manager. The outbox itself lives in the store writer.
 */
export function createSync(deps: SyncDeps) {
  const { config, writer, metrics } = deps;
  const log = deps.logger.child({ module: 'sync' });
  const summaries = createSummaryFeed(deps.db, writer, { graceMs: config.sync.summaryGraceMs, maxOpenWindows: config.sync.summaryMaxOpenWindows }, log);
  const flRelay = createFlRelay({ broker: deps.broker, log: log.child({ part: 'fl-relay' }), trainerEnabled: config.runtime.enabled });
  const downlink = createHubDownlink({
    log,
    flTask: (task, send) => flRelay.handle(task, send),
    ...(deps.publishConfig ? { publishConfig: deps.publishConfig } : {}),
    publish: (topic, payload, retain, done) => deps.broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain, dup: false }, (err) => done(err ?? undefined)),
  });
  const manager = new ConnectionManager({
    config,
    writer,
    downlink,
    log,
    onAcked: (_seq, records) => metrics.syncRecordsAcked.inc(records),
    onBatchSent: (records) => {
      metrics.syncRecordsSent.inc(records);
      metrics.syncBatchesSent.inc();
    },
    onState: (state) => {
      for (const s of STATES) metrics.syncState.set({ state: s }, s === state ? 1 : 0);
    },
    ...(deps.power ? { pace: deps.power.pace, power: deps.power.hubStatus } : {}),
  });
  deps.power?.onChange(() => manager.powerChanged());
  const localIntake = createAlertsIntake(writer, deps.events, log);

  return {
    /** Local topics the gateway takes (alerts), called from the broker's authorizePublish. */
    localIntake,
    /** The store writer's onCommit hook. */
    onCommit(rows: WriteRow[], outboxAdded: number): void {
      summaries.onCommit(rows);
      if (outboxAdded > 0) manager.notify();
    },
    start(): void {
      manager.start();
    },
    async status(): Promise<SyncView> {
      const stats = await writer.outbox({ op: 'stats' });
      const status = manager.status();
      const now = Date.now();
      for (const name of DATA_CLASS_NAMES) {
        const c = stats.classes[name];
        metrics.syncBacklogRecords.set({ class: name }, c.records);
        metrics.syncBacklogBytes.set({ class: name }, c.bytes);
        metrics.syncBacklogAge.set({ class: name }, c.oldestMs === null ? 0 : Math.max(0, (now - c.oldestMs) / 1000));
      }
      for (const [kind, n] of Object.entries(stats.compacted)) metrics.syncCompacted.set({ kind }, n);
      metrics.syncAckedSeq.set(stats.ackedSeq);
      metrics.syncLastSeq.set(stats.lastSeq);
      metrics.syncBatchRecords.set(status.batchRecords);
      metrics.syncDrainRate.set(status.drainRatePerSec);
      metrics.summaryOpenWindows.set(summaries.windows.openWindows);
      return {
        ...status,
        ...stats,
        summaries: { openWindows: summaries.windows.openWindows, closedEarly: summaries.windows.closedEarly, written: summaries.written },
        downlink: { ...downlink.counts },
        federatedLearning: { ...flRelay.counts, pending: flRelay.pending },
        power: {
          mode: deps.power?.current()?.mode ?? null,
          simulated: deps.power?.current()?.simulated ?? null,
          intervalMs: deps.power?.effects().sync.intervalMs ?? 0,
          maxBatchRecords: deps.power?.effects().sync.maxBatchRecords ?? null,
          deferredClasses: deps.power?.effects().sync.deferredClasses ?? [],
        },
      };
    },
    /** Stop syncing (before the broker closes). */
    async stop(): Promise<void> {
      flRelay.close();
      await manager.close();
    },
    /** Write open summary windows as partial summaries; after the last reading is committed, before the writer closes. */
    flushSummaries(): void {
      summaries.close();
    },
    /** The store writer closed after flushSummaries: record the clean shutdown. */
    markCleanShutdown(): void {
      summaries.markClean();
    },
  };
}

export type Sync = ReturnType<typeof createSync>;
