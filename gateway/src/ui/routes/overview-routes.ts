import type { FastifyInstance } from 'fastify';
import si from 'systeminformation';
import type { UiDeps } from '../ui-context.js';

const SYSTEM_CACHE_MS = 2000;

/** The overview and diagnostics pages: what the box is doing, in one request each. */
export async function overviewRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { ui } = deps;

  async function syncSummary() {
    try {
      const s = await deps.syncStatus();
      const oldest = Object.values(s.classes)
        .map((c) => c.oldestMs)
        .filter((v): v is number => v !== null);
      const backlogRecords = Object.values(s.classes).reduce((n, c) => n + c.records, 0);
      return {
        available: true,
        enabled: s.enabled,
        state: s.state,
        hubUrl: s.hubUrl,
        backlogRecords,
        backlogAgeMs: oldest.length ? Math.max(0, Date.now() - Math.min(...oldest)) : 0,
        drainRatePerSec: s.drainRatePerSec,
        lastError: s.lastError,
      };
    } catch (err) {
      app.log.warn({ err }, 'sync status unavailable');
      return { available: false };
    }
  }

  /** The power mode as the overview shows it: always with `simulated`, and what the mode holds back. */
  function powerSummary() {
    const p = ui.power.view();
    if (!p.available) return { available: false };
    return {
      available: true,
      mode: p.mode,
      simulated: p.simulated,
      at: p.reportedAt,
      source: p.source,
      batteryPercent: p.batteryPercent,
      charging: p.charging,
      reason: p.reason,
      syncIntervalMs: p.effects.sync.intervalMs,
      deferredClasses: p.effects.sync.deferredClasses,
    };
  }

  app.get('/ui/api/overview', async () => {
    const devices = deps.registry.list();
    return {
      devices: { total: devices.length, online: deps.connectedDevices(), revoked: devices.filter((d) => d.revokedAt !== null).length },
      messagesPerSec: ui.live.messagesPerSec(),
      openAlerts: ui.alerts.openCount(),
      sync: await syncSummary(),
      power: powerSummary(),
      model: ui.runtime.runtime?.modelVersion ? { available: true, version: ui.runtime.runtime.modelVersion, state: ui.runtime.runtime.state } : { available: false },
      store: deps.writer.usage,
      uptimeMs: Date.now() - ui.startedAt,
    };
  });

  let system: { at: number; value: Promise<unknown> } | null = null;
  function systemInfo() {
    if (system && Date.now() - system.at < SYSTEM_CACHE_MS) return system.value;
    const value = (async () => {
      const [load, mem, disks, temp] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.cpuTemperature()]);
      const temps = [temp.main, temp.max, ...temp.cores].filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
      return {
        cpu: { loadPercent: Math.round(load.currentLoad * 10) / 10, cores: load.cpus.length },
        memory: { totalBytes: mem.total, usedBytes: mem.active, availableBytes: mem.available },
        disks: disks.map((d) => ({ mount: d.mount, sizeBytes: d.size, usedBytes: d.used, usePercent: d.use })),
        // Many boxes (VMs, some SBCs) expose no sensor: say so rather than show zero.
        temperature: temps.length ? { available: true, mainC: temp.main, maxC: temp.max, coresC: temp.cores } : { available: false },
      };
    })();
    system = { at: Date.now(), value };
    return value;
  }

  app.get<{ Querystring: { lines: number } }>(
    '/ui/api/diagnostics',
    { schema: { querystring: { type: 'object', properties: { lines: { type: 'integer', minimum: 1, maximum: 500, default: 200 } } } } },
    async (request) => {
      const accepted = Object.fromEntries((await deps.metrics.accepted.get()).values.map((v) => [v.labels.kind, v.value]));
      const connections = Object.fromEntries((await deps.metrics.connections.get()).values.map((v) => [v.labels.kind, v.value]));
      return {
        system: await systemInfo(),
        process: { pid: process.pid, node: process.version, rssBytes: process.memoryUsage().rss, uptimeMs: Date.now() - ui.startedAt },
        broker: { connections, connectedDevices: deps.connectedDevices(), liveUiSockets: ui.live.listeners },
        store: {
          ...deps.writer.usage,
          queuedRows: deps.writer.queuedRows,
          pausedProducers: deps.writer.pausedProducers,
          storedReadings: deps.readings.totalReadings(),
          accepted,
          deadLetters: (await deps.metrics.deadLetters.get()).values[0]?.value ?? 0,
        },
        refusals: deps.refusalCounts(),
        logLines: ui.logRing.recent(request.query.lines),
      };
    },
  );
}
