import { randomUUID } from 'node:crypto';
import { COMMAND_STATUSES, type CommandRecord, type CommandStatus, type CommandStore, FINAL_COMMAND_STATUSES } from '../hub-store.js';
import type { Db } from './database.js';

interface CommandRow {
  id: number;
  command_id: string;
  gateway_id: string;
  device_id: string;
  name: string;
  args: string;
  created_at: number;
  expires_at: number;
  status: string;
  sent_count: number;
  updated_at: number;
  result: string | null;
}

const toRecord = (r: CommandRow): CommandRecord => ({
  commandId: r.command_id,
  rowId: r.id,
  gatewayId: r.gateway_id,
  deviceId: r.device_id,
  name: r.name,
  args: JSON.parse(r.args) as Record<string, unknown>,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  status: r.status as CommandStatus,
  sentCount: r.sent_count,
  updatedAt: r.updated_at,
  result: r.result === null ? null : (JSON.parse(r.result) as unknown),
});

const FINAL = FINAL_COMMAND_STATUSES.map((s) => `'${s}'`).join(', ');

export function createSqliteCommands(db: Db): CommandStore {
  const insert = db.prepare<[string, string, string, string, string, number, number, number], CommandRow>(
    `INSERT INTO commands (command_id, gateway_id, device_id, name, args, created_at, expires_at, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING *`,
  );
  const get = db.prepare<[string, string], CommandRow>('SELECT * FROM commands WHERE gateway_id = ? AND command_id = ?');
  const listAll = db.prepare<[string, number], CommandRow>('SELECT * FROM commands WHERE gateway_id = ? ORDER BY id DESC LIMIT ?');
  const listDevice = db.prepare<[string, string, number], CommandRow>('SELECT * FROM commands WHERE gateway_id = ? AND device_id = ? ORDER BY id DESC LIMIT ?');
  const pendingCount = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM commands WHERE gateway_id = ? AND status = 'pending'");
  const pendingAfter = db.prepare<[string, number, number, number], CommandRow>(
    "SELECT * FROM commands WHERE gateway_id = ? AND status = 'pending' AND id > ? AND expires_at > ? ORDER BY id LIMIT ?",
  );
  const markSent = db.prepare('UPDATE commands SET sent_count = sent_count + 1 WHERE command_id = ?');
  // A late `delivered` never replaces a final status; a final status may correct another final one.
  const report = db.prepare(
    `UPDATE commands SET status = ?, result = coalesce(?, result), updated_at = ? WHERE gateway_id = ? AND command_id = ? AND (? <> 'delivered' OR status NOT IN (${FINAL}))`,
  );
  const expire = db.prepare("UPDATE commands SET status = 'expired', updated_at = ? WHERE status = 'pending' AND expires_at <= ?");
  const markSentMany = db.transaction((ids: readonly string[]) => {
    for (const id of ids) markSent.run(id);
  });

  return {
    create(gatewayId, deviceId, command, nowMs) {
      return toRecord(insert.get(randomUUID(), gatewayId, deviceId, command.name, JSON.stringify(command.args), nowMs, nowMs + command.ttlMs, nowMs)!);
    },
    get(gatewayId, commandId) {
      const row = get.get(gatewayId, commandId);
      return row ? toRecord(row) : undefined;
    },
    list: (gatewayId, { deviceId, limit }) => (deviceId ? listDevice.all(gatewayId, deviceId, limit) : listAll.all(gatewayId, limit)).map(toRecord),
    pendingCount: (gatewayId) => pendingCount.get(gatewayId)!.n,
    pendingAfter: (gatewayId, after, nowMs, limit) => pendingAfter.all(gatewayId, after, nowMs, limit).map(toRecord),
    markSent: (ids) => markSentMany(ids),
    report(gatewayId, commandId, status, result, nowMs) {
      if (!(COMMAND_STATUSES as readonly string[]).includes(status) || status === 'pending') return false;
      const body = result === null || result === undefined ? null : JSON.stringify(result);
      return report.run(status, body, nowMs, gatewayId, commandId, status).changes === 1;
    },
    expire: (nowMs) => expire.run(nowMs, nowMs).changes,
  };
}
