import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Login sessions. The cookie carries a random id; only its SHA-256 is stored, so a copy of the store
 * does not hold usable sessions. A session expires after `ttlMs` without use.
 */
export function createSessions(db: Db, options: { ttlMs: number }) {
  const stmts = {
    insert: db.prepare('INSERT INTO ui_sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
    get: db.prepare<[string], { user_id: number; expires_at: number }>('SELECT user_id, expires_at FROM ui_sessions WHERE id_hash = ?'),
    touch: db.prepare('UPDATE ui_sessions SET expires_at = ? WHERE id_hash = ?'),
    remove: db.prepare('DELETE FROM ui_sessions WHERE id_hash = ?'),
    removeExpired: db.prepare('DELETE FROM ui_sessions WHERE expires_at <= ?'),
  };
  return {
    create(userId: number, now = Date.now()): string {
      stmts.removeExpired.run(now);
      const id = randomBytes(32).toString('base64url');
      stmts.insert.run(hashId(id), userId, now, now + options.ttlMs);
      return id;
    },
    /** The user id of a live session (its expiry slides forward), or null. */
    lookup(id: string, now = Date.now()): number | null {
      const key = hashId(id);
      const row = stmts.get.get(key);
      if (!row) return null;
      if (row.expires_at <= now) {
        stmts.remove.run(key);
        return null;
      }
      // Write at most about once a minute per session, not on every request.
      if (row.expires_at - now < options.ttlMs - 60_000) stmts.touch.run(now + options.ttlMs, key);
      return row.user_id;
    },
    remove(id: string): void {
      stmts.remove.run(hashId(id));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
