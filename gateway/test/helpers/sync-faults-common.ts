/** Shared set-up of the fault tests (kill the gateway, kill the hub, flap the link). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { startHubProcess } from './hub-process.js';
import { type Api, compareCounts, countsAgree, hubAlertIds } from './sync-fixture.js';

export const DEVICES = 6;
export const READINGS = Number(process.env.OUTPOST_SYNC_FAULT_READINGS ?? 30_000);
/** How long the proxy keeps cutting the connection (acceptance asks a minute: OUTPOST_SYNC_PARTITION_MS=60000). */
export const PARTITION_MS = Number(process.env.OUTPOST_SYNC_PARTITION_MS ?? 20_000);

const dirs: string[] = [];
export const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export const ids = Array.from({ length: DEVICES }, (_, i) => `dev-${i}`);

export function syncEnv(proxyPort: number, token: string): NodeJS.ProcessEnv {
  return {
    OUTPOST_GW_SYNC_HUB_URL: `127.0.0.1:${proxyPort}`,
    OUTPOST_GW_SYNC_ENROLLMENT_TOKEN: token,
    OUTPOST_GW_SYNC_RAW_READINGS: 'true',
    OUTPOST_GW_SYNC_BACKOFF_BASE_MS: '100',
    OUTPOST_GW_SYNC_BACKOFF_MAX_MS: '1000',
    OUTPOST_GW_SYNC_BATCH_MAX_RECORDS: '2000',
    OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC: '1000000',
    OUTPOST_GW_LIMITS_DEVICE_BURST: '1000000',
  };
}

export function processApi(dataDir: string, httpPort: number): Api {
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  return async <T>(path: string) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as T };
  };
}

/** Everything sent exactly once: per-class counts agree, every raw reading and alert is at the hub once. */
export async function assertExactlyOnce(gatewayApi: Api, hubApi: Awaited<ReturnType<typeof startHubProcess>>['api'], alerts: number) {
  const { view, counts } = await countsAgree(gatewayApi, hubApi, 120_000);
  const { gateway, hub } = compareCounts(view, counts);
  assert.deepEqual(hub, gateway);
  assert.equal(counts.records.rawReading, READINGS, 'every raw reading applied once');
  const alertIds = await hubAlertIds(hubApi, view.gatewayId!);
  assert.equal(alertIds.length, alerts);
  assert.equal(new Set(alertIds).size, alerts);
  return { view, counts };
}

