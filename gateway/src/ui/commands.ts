import { randomUUID } from 'node:crypto';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import type { Db } from '../store/database.js';

export type PublishFn = (topic: string, payload: Buffer) => Promise<void>;

/**
 * Commands sent from the UI: published to the device's `commands` topic (QoS 1) and remembered in
 * `ui_commands`, so the page can show each one with its result from `command_results`.
 */
export function createCommands(db: Db, publish: PublishFn) {
  const stmts = {
    insert: db.prepare('INSERT INTO ui_commands (command_id, device_id, name, args, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?)'),
    recent: db.prepare<[string, number], { command_id: string; name: string; args: string | null; issued_by: string; issued_at: number; status: string | null; body: string | null; received_at: number | null }>(
      `SELECT c.command_id, c.name, c.args, c.issued_by, c.issued_at, r.status, r.body, r.received_at
       FROM ui_commands c LEFT JOIN command_results r ON r.device_id = c.device_id AND r.command_id = c.command_id
       WHERE c.device_id = ? ORDER BY c.issued_at DESC LIMIT ?`,
    ),
  };
  return {
    async send(deviceId: string, name: string, args: Record<string, unknown> | undefined, by: string) {
      const commandId = randomUUID();
      const issuedAt = Date.now();
      const payload = encodeMessage('command', { v: 1, commandId, name, ...(args ? { args } : {}), issuedAt });
      stmts.insert.run(commandId, deviceId, name, args ? JSON.stringify(args) : null, by, issuedAt);
      await publish(deviceTopics.commands(deviceId), payload);
      return { commandId, issuedAt };
    },
    recent(deviceId: string, limit = 20) {
      return stmts.recent.all(deviceId, limit).map((r) => ({
        commandId: r.command_id,
        name: r.name,
        args: r.args ? (JSON.parse(r.args) as unknown) : null,
        issuedBy: r.issued_by,
        issuedAt: r.issued_at,
        result: r.status !== null ? { status: r.status, receivedAt: r.received_at, body: JSON.parse(r.body!) as unknown } : null,
      }));
    },
  };
}

export type Commands = ReturnType<typeof createCommands>;
