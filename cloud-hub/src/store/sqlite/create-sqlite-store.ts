import { randomUUID } from 'node:crypto';
import type { HubStore } from '../hub-store.js';
import { type SynchronousMode, hubStoreFile, migrate, openDatabase } from './database.js';
import { createSqliteCommands } from './sqlite-commands.js';
import { createSqliteEnrollment } from './sqlite-enrollment.js';
import { createSqliteFleet } from './sqlite-fleet.js';
import { createSqliteQueries } from './sqlite-queries.js';
import { createRecordAppliers } from './sqlite-record-appliers.js';
import { createSqliteShadows } from './sqlite-shadows.js';
import { createSqliteSync } from './sqlite-sync.js';
import { createSqliteTenants } from './sqlite-tenants.js';

export interface SqliteStoreOptions {
  dataDir: string;
  synchronous: SynchronousMode;
  rawReadingsMaxAgeMs: number;
  rawReadingsMaxRows: number;
  quarantineMaxRows: number;
}

/** The embedded hub store: one SQLite file in WAL mode, shared by the running hub and the CLI. */
export function createSqliteHubStore(options: SqliteStoreOptions): HubStore {
  const db = openDatabase(hubStoreFile(options.dataDir), { synchronous: options.synchronous });
  migrate(db);
  db.prepare("INSERT INTO meta (key, value) VALUES ('hub_id', ?) ON CONFLICT (key) DO NOTHING").run(`hub-${randomUUID()}`);
  const hubId = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'hub_id'").get()!.value;

  const commands = createSqliteCommands(db);
  const appliers = createRecordAppliers(db, (gatewayId, commandId, status, body, nowMs) => commands.report(gatewayId, commandId, status, body, nowMs));

  const deleteOld = db.prepare('DELETE FROM raw_readings WHERE received_at < ?');
  const countRaw = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM raw_readings');
  const deleteOldest = db.prepare('DELETE FROM raw_readings WHERE id IN (SELECT id FROM raw_readings ORDER BY id LIMIT ?)');
  const countQuarantine = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM quarantine');
  const trimQuarantine = db.prepare('DELETE FROM quarantine WHERE (gateway_id, seq) IN (SELECT gateway_id, seq FROM quarantine ORDER BY received_at LIMIT ?)');
  const deleteTokens = db.prepare('DELETE FROM enrollment_tokens WHERE expires_at < ?');

  return {
    hubId,
    tenants: createSqliteTenants(db),
    enrollment: createSqliteEnrollment(db),
    fleet: createSqliteFleet(db),
    sync: createSqliteSync(db, appliers),
    shadows: createSqliteShadows(db),
    commands,
    queries: createSqliteQueries(db),
    runRetention(nowMs) {
      let deleted = deleteOld.run(nowMs - options.rawReadingsMaxAgeMs).changes;
      const excess = countRaw.get()!.n - options.rawReadingsMaxRows;
      if (excess > 0) deleted += deleteOldest.run(excess).changes;
      const extraQuarantined = countQuarantine.get()!.n - options.quarantineMaxRows;
      if (extraQuarantined > 0) trimQuarantine.run(extraQuarantined);
      deleteTokens.run(nowMs - 86_400_000);
      return deleted;
    },
    close: () => db.close(),
  };
}
