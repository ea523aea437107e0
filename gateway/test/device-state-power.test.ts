import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import { connectDevice, startTestGateway } from './helpers/test-gateway.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

/** The newest deviceState record of a device in the outbox (what the hub gets next). */
function latestState(dataDir: string, deviceId: string): Record<string, unknown> | null {
  const db = new Database(join(dataDir, 'gateway.sqlite'), { readonly: true });
  try {
    const row = db.prepare<[string], { payload: string }>("SELECT payload FROM outbox WHERE class = 'deviceState' AND device_id = ? ORDER BY id DESC LIMIT 1").get(deviceId);
    return row ? (JSON.parse(row.payload) as { state: Record<string, unknown> }).state : null;
  } finally {
    db.close();
  }
}

describe('deviceState records carry the battery forecast and the reporting mode to the hub', () => {
  it('no forecast before enough history, then the same forecast as the local API, and adaptive once the policy is', async () => {
    const gw = await startTestGateway();
    try {
      const secrets = await gw.provision('bat-9', 'mains-1');
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const device = await connectDevice(url, 'bat-9', secrets['bat-9']!);
      const state = (i: number) => device.publishAsync(deviceTopics.state('bat-9'), encodeMessage('state', { v: 1, ts: T0 + i * HOUR, battery: { percent: 80 - 2 * i } }), { qos: 1 });

      await state(0);
      const first = latestState(gw.dataDir, 'bat-9');
      assert.deepEqual([first?.batteryForecast, first?.adaptiveReporting], [null, false], 'one point: no forecast yet');

      const policy = { intervalMs: 1000, mode: 'adaptive', predictor: 'last-value', tolerance: { temp: 0.5 }, maxSilenceMs: 30_000 };
      assert.equal((await gw.api('/api/v1/devices/bat-9/reporting', { method: 'PUT', body: JSON.stringify(policy) })).status, 200);
      for (let i = 1; i < 4; i++) await state(i);
      const synced = latestState(gw.dataDir, 'bat-9')!;
      const local = (await gw.api<{ batteryForecast: Record<string, unknown> }>('/api/v1/devices/bat-9')).body.batteryForecast;
      assert.equal(synced.adaptiveReporting, true);
      assert.deepEqual(synced.batteryForecast, { percent: 74, ...local });
      assert.equal((synced.batteryForecast as Record<string, unknown>).percentPerDay, -48);
      assert.deepEqual(synced.battery, { percent: 74 }, 'what the device sent is kept as it was');
      await device.endAsync();

      // A device without a battery gets no forecast key at all.
      const mains = await connectDevice(url, 'mains-1', secrets['mains-1']!);
      await mains.publishAsync(deviceTopics.state('mains-1'), encodeMessage('state', { v: 1, reported: { valve: 'open' } }), { qos: 1 });
      await mains.endAsync();
      const plain = latestState(gw.dataDir, 'mains-1')!;
      assert.equal('batteryForecast' in plain, false);
      assert.equal(plain.adaptiveReporting, false);
    } finally {
      await gw.close();
    }
  });
});
