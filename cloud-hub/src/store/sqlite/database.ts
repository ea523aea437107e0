import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export type SynchronousMode = 'full' | 'normal';

/** Open the hub's store with the pragmas every connection needs; WAL lets the CLI write beside a running hub. */
export function openDatabase(file: string, options: { synchronous: SynchronousMode }): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  db.pragma('journal_size_limit = 67108864');
  return db;
}

/** Bring the schema up to date inside one transaction. Safe to call from several processes. */
export function migrate(db: Db): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) throw new Error(`hub store schema version ${current} is newer than this hub (${MIGRATIONS.length}); upgrade the hub`);
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export function hubStoreFile(dataDir: string): string {
  return join(dataDir, 'hub.sqlite');
}
