import type { Db } from '../store/database.js';

/** Battery points closer together than this (device time) are not kept: the forecast needs days, not seconds. */
export const BATTERY_POINT_MIN_GAP_MS = 5 * 60_000;
/** Points kept per device (oldest dropped): at one per 5 min, about a week. */
export const BATTERY_POINTS_PER_DEVICE = 2000;

/**
 * The store writer's side of `battery_history`: one point per device per BATTERY_POINT_MIN_GAP_MS of the
 * device's time (the state message's `ts`, else its receipt time), at most BATTERY_POINTS_PER_DEVICE per
 * device. Runs inside the writer's transaction.
 */
export function createBatteryHistoryWriter(db: Db) {
  const stmts = {
    near: db.prepare<[string, number, number]>('SELECT 1 FROM battery_history WHERE device_id = ? AND ts > ? AND ts < ? LIMIT 1').pluck(),
    insert: db.prepare('INSERT OR REPLACE INTO battery_history (device_id, ts, percent) VALUES (?, ?, ?)'),
    trim: db.prepare(
      `DELETE FROM battery_history WHERE device_id = ? AND ts < (SELECT ts FROM battery_history WHERE device_id = ? ORDER BY ts DESC LIMIT 1 OFFSET ${BATTERY_POINTS_PER_DEVICE - 1})`,
    ),
  };
  return {
    /** True when the point was kept (false: another point lies within BATTERY_POINT_MIN_GAP_MS). */
    add(deviceId: string, ts: number, percent: number): boolean {
      if (stmts.near.get(deviceId, ts - BATTERY_POINT_MIN_GAP_MS, ts + BATTERY_POINT_MIN_GAP_MS) !== undefined) return false;
      stmts.insert.run(deviceId, ts, percent);
      stmts.trim.run(deviceId, deviceId);
      return true;
    },
  };
}

export interface BatteryPoint {
  ts: number;
  percent: number;
}

/** Read side: a device's points within `windowMs` before its newest one, oldest first. */
export function createBatteryHistoryQuery(db: Db) {
  const stmt = db.prepare<[string, string, number], BatteryPoint>(
    'SELECT ts, percent FROM battery_history WHERE device_id = ? AND ts >= (SELECT MAX(ts) FROM battery_history WHERE device_id = ?) - ? ORDER BY ts',
  );
  return {
    points(deviceId: string, windowMs: number): BatteryPoint[] {
      return stmt.all(deviceId, deviceId, windowMs);
    },
  };
}
