import { isValidDeviceId } from '@outpost/protocols';
import { GatewayError } from '../errors.js';
import type { Db } from './database.js';
import { generateSecret, hashSecret } from './secret-hash.js';

export interface DeviceRecord {
  id: string;
  createdAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
  batteryPercent: number | null;
  firmware: string | null;
}

interface DeviceRow {
  id: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  battery_percent: number | null;
  firmware: string | null;
}

function toRecord(row: DeviceRow): DeviceRecord {
  return { id: row.id, createdAt: row.created_at, revokedAt: row.revoked_at, lastSeenAt: row.last_seen_at, batteryPercent: row.battery_percent, firmware: row.firmware };
}

/**
 * Device credentials and metadata. Every change bumps `registry_version` in the same transaction, so
 * a running gateway notices changes made by the CLI in another process and acts on them (revocations).
 */
export class DeviceRegistry {
  readonly #db: Db;
  readonly #scryptCost: number;
  readonly #stmts;

  constructor(db: Db, options: { scryptCost: number }) {
    this.#db = db;
    this.#scryptCost = options.scryptCost;
    this.#stmts = {
      get: db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?'),
      list: db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY id'),
      insert: db.prepare('INSERT INTO devices (id, secret_hash, created_at) VALUES (?, ?, ?)'),
      revoke: db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      bump: db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'registry_version'"),
      version: db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'registry_version'"),
      seen: db.prepare('UPDATE devices SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?'),
    };
  }

  /** Create devices and return each one's secret. The secrets are not stored and cannot be shown again. */
  async add(ids: string[]): Promise<{ id: string; secret: string }[]> {
    for (const id of ids) {
      if (!isValidDeviceId(id)) throw new GatewayError('GW_ERR_DEVICE_ID', `${JSON.stringify(id)}: use 1-64 characters of [A-Za-z0-9_.-], starting with a letter or digit`);
      if (this.#stmts.get.get(id)) throw new GatewayError('GW_ERR_DEVICE_EXISTS', id);
    }
    if (new Set(ids).size !== ids.length) throw new GatewayError('GW_ERR_DEVICE_EXISTS', 'the same id is listed twice');
    const created = await Promise.all(
      ids.map(async (id) => {
        const secret = generateSecret();
        return { id, secret, hash: await hashSecret(secret, this.#scryptCost) };
      }),
    );
    const now = Date.now();
    this.#db.transaction(() => {
      for (const d of created) {
        if (this.#stmts.get.get(d.id)) throw new GatewayError('GW_ERR_DEVICE_EXISTS', d.id);
        this.#stmts.insert.run(d.id, d.hash, now);
      }
      this.#stmts.bump.run();
    }).immediate();
    return created.map(({ id, secret }) => ({ id, secret }));
  }

  revoke(id: string): DeviceRecord {
    this.#db.transaction(() => {
      if (this.#stmts.revoke.run(Date.now(), id).changes > 0) this.#stmts.bump.run();
    }).immediate();
    const row = this.#stmts.get.get(id);
    if (!row) throw new GatewayError('GW_ERR_DEVICE_NOT_FOUND', id);
    return toRecord(row);
  }

  get(id: string): DeviceRecord | undefined {
    const row = this.#stmts.get.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** The stored hash and revocation state, for authentication only. */
  credentials(id: string): { secretHash: string; revoked: boolean } | undefined {
    const row = this.#stmts.get.get(id);
    return row ? { secretHash: row.secret_hash, revoked: row.revoked_at !== null } : undefined;
  }

  list(): DeviceRecord[] {
    return this.#stmts.list.all().map(toRecord);
  }

  version(): number {
    return Number(this.#stmts.version.get()?.value ?? 0);
  }

  /** Persist last-seen times gathered in memory (one transaction, called every few seconds). */
  recordSeen(entries: Iterable<[string, number]>): void {
    this.#db.transaction(() => {
      for (const [id, at] of entries) this.#stmts.seen.run(at, id);
    })();
  }
}
