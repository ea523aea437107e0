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

  return {
    of(deviceId: string): DeviceStatePower {
      const points = battery.points(deviceId, FORECAST_WINDOW_MS);
      if (points.length === 0) return { adaptiveReporting: adaptiveReporting(deviceId) };
      const forecast = forecastBattery(points);
      return {
        batteryForecast: forecast && { percent: points[points.length - 1]!.percent, ...forecast },
        adaptiveReporting: adaptiveReporting(deviceId),
      };
    },
    /** The deviceState payload with the power keys added to its state. */
    addTo(payload: SyncPayload<'deviceState'>, deviceId: string): SyncPayload<'deviceState'> {
      return { ...payload, state: { ...payload.state, ...this.of(deviceId) } };
    },
  };
}
