import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/database.js';
import type { WriteRow } from '../store/write-rows.js';
import { createAdaptiveIngest } from './adaptive-ingest.js';
import { type BatteryForecast, FORECAST_WINDOW_MS, forecastBattery } from './battery-forecast.js';
import { createBatteryHistoryQuery } from './battery-history.js';
import { createDeviceConfigs } from './device-configs.js';
import { createReportingStore } from './reporting-store.js';

export interface PowerDeps {
  db: Db;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Publish retained at QoS 1 on the embedded broker. */
  publish(topic: string, payload: Buffer, done: (err?: Error) => void): void;
}

/** Most forecasts kept in memory; past it the cache is cleared (policy when full: recompute on demand). */
const MAX_CACHED_FORECASTS = 10_000;

/**
 * Device power: reporting policies on the devices' config topics, the gateway side of adaptive reporting
 * (filling in skipped samples), and battery forecasts from the stored battery history.
 */
export function createPower(deps: PowerDeps) {
  const log = deps.logger.child({ module: 'power' });
  const { metrics } = deps;
  const adaptive = createAdaptiveIngest({
    resync: (deviceId) => configs.resync(deviceId),
    onFilled: (_deviceId, rows) => metrics.adaptiveFilled.inc(rows),
    onDesync: (deviceId, seq, lastSeq, reason) => {
      metrics.adaptiveDesyncs.inc();
      log.info({ event: 'adaptive-desync', deviceId, seq, lastSeq, reason }, 'adaptive reporting out of step: filling stops until the device starts a new epoch');
    },
  });
  const configs = createDeviceConfigs({
    store: createReportingStore(deps.db),
    publish: deps.publish,
    onReporting: (deviceId, reporting, configVersion) => adaptive.onReporting(deviceId, reporting, configVersion),
    log,
  });
  const battery = createBatteryHistoryQuery(deps.db);
  const forecasts = new Map<string, BatteryForecast | null>();

  return {
    configs,
    adaptive,
    /** The device's battery forecast from its stored battery history (null: not enough history). */
    batteryForecast(deviceId: string): BatteryForecast | null {
      if (forecasts.has(deviceId)) return forecasts.get(deviceId)!;
      const forecast = forecastBattery(battery.points(deviceId, FORECAST_WINDOW_MS));
      if (forecasts.size >= MAX_CACHED_FORECASTS) forecasts.clear();
      forecasts.set(deviceId, forecast);
      return forecast;
    },
    /** The store writer's onCommit hook: a committed battery level makes that device's forecast stale. */
    onCommit(rows: readonly WriteRow[]): void {
      for (const row of rows) if (row.k === 'state' && row.batteryPercent !== null) forecasts.delete(row.deviceId);
    },
    /** Publish every known device config again (the broker's retained messages do not survive a restart). */
    start(): void {
      const count = configs.republishAll();
      if (count > 0) log.info({ event: 'device-configs-published', devices: count }, 'device configs published');
    },
  };
}

export type Power = ReturnType<typeof createPower>;
