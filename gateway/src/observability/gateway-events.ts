import type { WireErrorCode } from '@outpost/protocols';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { Logger } from './logger.js';

export type RefusalReason = WireErrorCode;

const LOG_EVERY_MS = 10_000;

/**
 * Business events of the gateway: each one logs and counts in one place. Refusals can come in floods
 * (a misbehaving device, a storm), so their log lines are sampled per reason and subject: the first is
 * logged, then at most one every 10 s carrying how many were suppressed. The counters see every one.
 */
export function createGatewayEvents(logger: Logger, metrics: GatewayMetrics) {
  const log = logger.child({ module: 'events' });
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  const refusalCounts = new Map<string, number>();

  function refused(reason: RefusalReason, context: { deviceId?: string | undefined; address?: string | undefined; topic?: string; detail?: string }): void {
    metrics.refusals.inc({ reason });
    refusalCounts.set(reason, (refusalCounts.get(reason) ?? 0) + 1);
    const key = `${reason}|${context.deviceId ?? context.address ?? ''}`;
    const now = Date.now();
    const seen = lastLogged.get(key);
    if (seen && now - seen.at < LOG_EVERY_MS) {
      seen.suppressed++;
      return;
    }
    if (lastLogged.size > 10_000) lastLogged.clear(); // bound the sampler's memory
    lastLogged.set(key, { at: now, suppressed: 0 });
    log.warn({ event: 'refused', reason, ...context, suppressedSinceLast: seen?.suppressed ?? 0 }, `refused: ${reason}`);
  }

  return {
    refused,
    refusalCounts: () => Object.fromEntries(refusalCounts),
    deviceConnected(deviceId: string, address: string | undefined): void {
      metrics.connections.inc({ kind: 'device' });
      log.debug({ event: 'device-connected', deviceId, address }, 'device connected');
    },
    deviceDisconnected(deviceId: string): void {
      metrics.connections.dec({ kind: 'device' });
      log.debug({ event: 'device-disconnected', deviceId }, 'device disconnected');
    },
    internalConnected(clientId: string): void {
      metrics.connections.inc({ kind: 'internal' });
      log.info({ event: 'internal-connected', clientId }, 'internal client connected');
    },
    internalDisconnected(clientId: string): void {
      metrics.connections.dec({ kind: 'internal' });
      log.info({ event: 'internal-disconnected', clientId }, 'internal client disconnected');
    },
    deviceRevoked(deviceId: string, disconnected: boolean): void {
      log.info({ event: 'device-revoked', deviceId, disconnected }, 'device revoked');
    },
    duplicate(deviceId: string, seq: number): void {
      log.debug({ event: 'duplicate', deviceId, seq }, 'resent reading already stored');
    },
    batchCommitted(rows: number, commitMs: number): void {
      metrics.batchRows.observe(rows);
      metrics.commitSeconds.observe(commitMs / 1000);
    },
    producerPaused(): void {
      metrics.producersPaused.inc();
    },
    powerModeChanged(from: string | null, to: string, reason: string, simulated: boolean, effects: { sync: { intervalMs: number; deferredClasses: string[] }; logLevel: string }): void {
      const fields = { event: 'power-mode', from, to, reason, simulated, syncIntervalMs: effects.sync.intervalMs, deferred: effects.sync.deferredClasses, logLevel: effects.logLevel };
      const text = `power mode ${to}${simulated ? ' (simulated)' : ''}${reason ? `: ${reason}` : ''}`;
      // Saver and critical change what the gateway does: warn, which critical's log level still shows.
      if (to === 'saver' || to === 'critical') log.warn(fields, text);
      else log.info(fields, text);
    },
    powerCriticalFlushed(report: { storeFlushed: boolean; checkpoint: { busy: boolean } | null; error: string | null; action: string; shutdown: string }): void {
      const complete = report.storeFlushed && report.checkpoint !== null && !report.checkpoint.busy;
      const fields = { event: 'power-critical', ...report };
      if (complete) log.warn(fields, `critical power: store flushed and checkpointed${report.shutdown === 'started' ? '; shutting down' : ''}`);
      else log.error({ ...fields, code: 'GW_ERR_STORE_WRITE' }, `critical power: store flush incomplete${report.error ? `: ${report.error}` : ' (checkpoint busy)'}`);
    },
    powerReportInvalid(err: unknown): void {
      const key = 'power-invalid';
      const now = Date.now();
      const seen = lastLogged.get(key);
      if (seen && now - seen.at < LOG_EVERY_MS) return void seen.suppressed++;
      lastLogged.set(key, { at: now, suppressed: 0 });
      log.warn({ event: 'power-report-invalid', err, suppressedSinceLast: seen?.suppressed ?? 0 }, 'invalid power mode report from edge-runtime ignored');
    },
  };
}

export type GatewayEvents = ReturnType<typeof createGatewayEvents>;
