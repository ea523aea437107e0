import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteHubStore } from '../src/store/sqlite/create-sqlite-store.js';
import { runHubStoreContract } from './contracts/hub-store-contract.js';

runHubStoreContract('embedded SQLite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-hub-store-'));
  return {
    store: createSqliteHubStore({ dataDir, synchronous: 'normal', rawReadingsMaxAgeMs: 86_400_000, rawReadingsMaxRows: 1000, quarantineMaxRows: 100 }),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
