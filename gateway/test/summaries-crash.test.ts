import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cliAddDevices, startGatewayProcess } from './helpers/gateway-process.js';
import { publishReadings } from './helpers/sync-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-gw-summaries-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Readings counted by the summaries in the outbox, keeping the latest summary of each window (the hub upserts by window). */
function summarisedCounts(dataDir: string): Record<string, number> {
  const db = new Database(join(dataDir, 'gateway.sqlite'), { readonly: true });
  try {
    const latest = new Map<string, { deviceId: string; count: number }>();
    const rows = db.prepare<[], { payload: string }>("SELECT payload FROM outbox WHERE class = 'summary' ORDER BY id").all();
    for (const { payload } of rows) {
      const s = JSON.parse(payload) as { deviceId: string; metric: string; windowStartMs: number; windowMs: number; count: number };
      if (s.metric !== 'temp') continue;
      latest.set(`${s.deviceId}|${s.windowStartMs}|${s.windowMs}`, { deviceId: s.deviceId, count: s.count });
    }
    const counts: Record<string, number> = {};
    for (const { deviceId, count } of latest.values()) counts[deviceId] = (counts[deviceId] ?? 0) + count;
    return counts;
  } finally {
    db.close();
  }
}

describe('window summaries across a crash', () => {
  it('after SIGKILL the open windows are rebuilt from stored readings: every acked reading is summarised once', async () => {
    const secrets = await cliAddDevices(dir, ['dev-0', 'dev-1']);
    const env = { OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC: '100000', OUTPOST_GW_LIMITS_DEVICE_BURST: '100000' };
    let gw = await startGatewayProcess(dir, 20_000, { env });
    const acked = await publishReadings(`mqtt://127.0.0.1:${gw.mqttPort}`, secrets, 500);
    assert.equal(acked, 1000);
    gw.child.kill('SIGKILL');
    assert.equal(await gw.exited, null);
    // Restart, then stop cleanly: the clean stop writes every open window as a (partial) summary.
    gw = await startGatewayProcess(dir, 20_000, { env });
    gw.child.kill('SIGTERM');
    assert.equal(await gw.exited, 0);
    assert.deepEqual(summarisedCounts(dir), { 'dev-0': 500, 'dev-1': 500 });
  });
});
