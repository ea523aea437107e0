import type { DeviceConfig, ReportingPolicy } from '@outpost/protocols';
import type { Db } from '../store/database.js';

/** What the gateway keeps per device about its config topic. */
export interface DeviceConfigRecord {
  deviceId: string;
  /** The reporting policy set through the local API; it wins over the hub's `reporting`. */
  policy: ReportingPolicy | null;
  /** The hub's latest desired config for the device, as the hub sent it. */
  hubConfig: DeviceConfig | null;
  /** The configVersion last published on the device's config topic (0: never). */
  configVersion: number;
  updatedAt: number;
}

interface Row {
  device_id: string;
  policy: string | null;
  hub_config: string | null;
  config_version: number;
  updated_at: number;
}

const toRecord = (r: Row): DeviceConfigRecord => ({
  deviceId: r.device_id,
  policy: r.policy === null ? null : (JSON.parse(r.policy) as ReportingPolicy),
  hubConfig: r.hub_config === null ? null : (JSON.parse(r.hub_config) as DeviceConfig),
  configVersion: r.config_version,
  updatedAt: r.updated_at,
});

/** The `device_reporting` table, on the main connection (small, rare writes; WAL keeps them off the writer's way). */
export function createReportingStore(db: Db) {
  const stmts = {
    get: db.prepare<[string], Row>('SELECT * FROM device_reporting WHERE device_id = ?'),
    all: db.prepare<[], Row>('SELECT * FROM device_reporting ORDER BY device_id'),
    upsert: db.prepare(
      `INSERT INTO device_reporting (device_id, policy, hub_config, config_version, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET policy = excluded.policy, hub_config = excluded.hub_config, config_version = excluded.config_version, updated_at = excluded.updated_at`,
    ),
  };
  return {
    get(deviceId: string): DeviceConfigRecord | undefined {
      const row = stmts.get.get(deviceId);
      return row ? toRecord(row) : undefined;
    },
    all(): DeviceConfigRecord[] {
      return stmts.all.all().map(toRecord);
    },
    save(r: DeviceConfigRecord): void {
      stmts.upsert.run(r.deviceId, r.policy === null ? null : JSON.stringify(r.policy), r.hubConfig === null ? null : JSON.stringify(r.hubConfig), r.configVersion, r.updatedAt);
    },
  };
}

export type ReportingStore = ReturnType<typeof createReportingStore>;
