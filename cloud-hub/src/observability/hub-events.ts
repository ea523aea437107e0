import type { DataClass, WireErrorCode } from '@outpost/protocols';
import type { HubMetrics } from './hub-metrics.js';
import type { Logger } from './logger.js';

/** Business events of the hub: each one logs and counts in one place. */
export function createHubEvents(logger: Logger, metrics: HubMetrics) {
  const log = logger.child({ module: 'events' });
  return {
    enrolled(gatewayId: string, name: string): void {
      metrics.enrollments.inc({ result: 'ok' });
      log.info({ event: 'gateway-enrolled', gatewayId, name }, 'gateway enrolled');
    },
    enrollRefused(peer: string): void {
      metrics.enrollments.inc({ result: 'refused' });
      log.warn({ event: 'enroll-refused', peer, reason: 'E_ENROLL_TOKEN' }, 'enrollment refused');
    },
    streamRefused(code: WireErrorCode | 'INVALID_ARGUMENT' | 'SLOW_CONSUMER', context: { gatewayId?: string; peer?: string; detail?: string }): void {
      metrics.streamsRefused.inc({ code });
      log.warn({ event: 'stream-refused', code, ...context }, `sync stream refused: ${code}`);
    },
    streamOpened(gatewayId: string, context: { ackedSeq: number; clockTrusted: boolean; softwareVersion: string; backlogRecords: number; peer: string }): void {
      log.info({ event: 'stream-opened', gatewayId, ...context }, 'gateway connected');
    },
    streamClosed(gatewayId: string, reason: string): void {
      log.info({ event: 'stream-closed', gatewayId, reason }, 'gateway disconnected');
    },
    connectedGateways(n: number): void {
      metrics.connectedGateways.set(n);
    },
    batchApplied(gatewayId: string, applied: Partial<Record<DataClass, number>>, duplicates: number, quarantined: number, applyMs: number): void {
      metrics.batches.inc({ result: 'applied' });
      metrics.applySeconds.observe(applyMs / 1000);
      for (const [dataClass, n] of Object.entries(applied)) metrics.recordsApplied.inc({ class: dataClass }, n);
      if (duplicates > 0) metrics.duplicatesSkipped.inc(duplicates);
      if (quarantined > 0) {
        metrics.quarantined.inc(quarantined);
        log.warn({ event: 'records-quarantined', gatewayId, quarantined }, 'records quarantined (E_SYNC_PAYLOAD)');
      }
    },
    batchRefused(gatewayId: string, code: WireErrorCode, detail: string): void {
      metrics.batches.inc({ result: code });
      log.warn({ event: 'batch-refused', gatewayId, code, detail }, `batch refused: ${code}`);
    },
    downlinkSent(kind: 'command' | 'desiredState', n: number): void {
      metrics.downlinkSent.inc({ kind }, n);
    },
    powerReported(gatewayId: string, power: { mode: string; simulated: boolean }, via: 'hello' | 'update'): void {
      log.info({ event: 'gateway-power', gatewayId, mode: power.mode, simulated: power.simulated, via }, `gateway power mode ${power.mode}${power.simulated ? ' (simulated)' : ''}`);
    },
    powerInvalid(gatewayId: string, mode: string): void {
      log.warn({ event: 'gateway-power-invalid', gatewayId, mode }, 'unknown power mode from a gateway ignored');
    },
    gatewayRevoked(gatewayId: string, streamClosed: boolean): void {
      log.info({ event: 'gateway-revoked', gatewayId, streamClosed }, 'gateway revoked');
    },
    retention(deleted: number): void {
      if (deleted > 0) metrics.retentionDeleted.inc(deleted);
    },
  };
}

export type HubEvents = ReturnType<typeof createHubEvents>;
