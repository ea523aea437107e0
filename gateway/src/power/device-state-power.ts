import type { DeviceConfig, ReportingPolicy, SyncPayload } from '@outpost/protocols';
import type { Db } from '../store/database.js';
import { FORECAST_WINDOW_MS, forecastBattery } from './battery-forecast.js';
import { createBatteryHistoryQuery } from './battery-history.js';

/** What the hub learns about a device's power with each deviceState record (keys added to `state`). */
export interface DeviceStatePower {
  /** Null while the history is too short for a forecast; absent for a device that never reported a battery. */
  batteryForecast?: { percent: number; percentPerDay: number; emptyAt: number | null; basedOnSamples: number; spanMs: number } | null;
  /** Whether the reporting policy in force (local over the hub's) is adaptive. */
  adaptiveReporting: boolean;
}

/**
 * The store writer's side of device power for sync: the battery forecast and whether adaptive reporting is
 * on, read inside the writer's transaction so the forecast includes the battery point just written. The
 * gateway adds them under its own keys: a device's state message is strict and cannot carry them.
 */
/** Devices whose forecast is cached; past it the cache is cleared (policy when full: recompute on demand). */
const MAX_CACHED_FORECASTS = 100_000;

export function createDeviceStatePower(db: Db) {
  const battery = createBatteryHistoryQuery(db);
  const reporting = db.prepare<[string], { policy: string | null; hub_config: string | null }>('SELECT policy, hub_config FROM device_reporting WHERE device_id = ?');

  function adaptiveReporting(deviceId: string): boolean {
    const row = reporting.get(deviceId);
    if (!row) return false;
    try {
      const policy = row.policy !== null ? (JSON.parse(row.policy) as ReportingPolicy) : row.hub_config !== null ? (JSON.parse(row.hub_config) as DeviceConfig).reporting : undefined;
      return policy?.mode === 'adaptive';
    } catch {
      return false; // an unreadable row must not fail the writer's batch; the config code reports it
    }
  }

  // The forecast changes only when the writer keeps a new battery point: computed then, not on every state.
  // Absent from the map: not computed yet; undefined: the device has no battery history.
  const forecasts = new Map<string, DeviceStatePower['batteryForecast']>();
  function batteryForecast(deviceId: string): DeviceStatePower['batteryForecast'] {
    if (forecasts.has(deviceId)) return forecasts.get(deviceId);
    const points = battery.points(deviceId, FORECAST_WINDOW_MS);
    let forecast: DeviceStatePower['batteryForecast'];
    if (points.length > 0) {
      const fit = forecastBattery(points);
      forecast = fit && { percent: points[points.length - 1]!.percent, ...fit };
    }
    if (forecasts.size >= MAX_CACHED_FORECASTS) forecasts.clear();
    forecasts.set(deviceId, forecast);
    return forecast;
  }

  return {
    /** The writer kept a new battery point for the device: its forecast is computed again when next asked. */
    batteryPointAdded(deviceId: string): void {
      forecasts.delete(deviceId);
    },
    of(deviceId: string): DeviceStatePower {
      const forecast = batteryForecast(deviceId);
      return forecast === undefined ? { adaptiveReporting: adaptiveReporting(deviceId) } : { batteryForecast: forecast, adaptiveReporting: adaptiveReporting(deviceId) };
    },
    /** The deviceState payload with the power keys added to its state. */
    addTo(payload: SyncPayload<'deviceState'>, deviceId: string): SyncPayload<'deviceState'> {
      return { ...payload, state: { ...payload.state, ...this.of(deviceId) } };
    },
  };
}
