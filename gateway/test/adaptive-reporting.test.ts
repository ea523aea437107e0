import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AdaptiveSender, type DeviceConfig, type LocalReadingsBatch, adaptivePolicyOf, decodeMessage, deviceTopics, encodeMessage, localTopics } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { connectInternal, waitFor } from './helpers/sync-fixture.js';
import { collect, connectDevice, startTestGateway, type TestGateway } from './helpers/test-gateway.js';

const T0 = 1_700_000_000_000;
const INTERVAL_MS = 1000;

interface StoredReading {
  id: number;
  ts: number;
  seq: number | null;
  metrics: Record<string, number>;
  predicted?: true;
}
interface ReportingView {
  policy: unknown;
  effective: { mode: string } | null;
  configVersion: number | null;
  adaptive: { synced: boolean; lastSeq: number | null; transmissions: number; filled: number; desyncs: number } | null;
}
interface Audit {
  stored: number;
  predicted: number;
  duplicates: number;
  minSeq: number | null;
  maxSeq: number | null;
  missing: [number, number][];
}

/** A small seeded generator, so the signal is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Slow daily-like cycles with sensor noise, and one spike on temperature at `spikeAt`. */
function signal(samples: number, spikeAt: number): Record<string, number>[] {
  const rnd = lcg(42);
  return Array.from({ length: samples }, (_, i) => {
    const temperature = 20 + 2 * Math.sin(i / 40) + (rnd() - 0.5) * 0.4 + (i === spikeAt ? 9 : 0);
    const humidity = 55 - 6 * Math.sin(i / 40) + (rnd() - 0.5) * 2;
    return { temperature: Math.round(temperature * 1000) / 1000, humidity: Math.round(humidity * 1000) / 1000 };
  });
}

/** Subscribe to the config topic first, so the retained config is not missed. */
async function receiveConfig(device: MqttClient, id: string): Promise<DeviceConfig> {
  const got = collect(device, deviceTopics.config(id), 1, 5000);
  await device.subscribeAsync(deviceTopics.config(id), { qos: 1 });
  const [payload] = await got;
  assert.ok(payload, 'the device got its config');
  return decodeMessage('deviceConfig', payload).message;
}

const send = (device: MqttClient, id: string, seq: number, ts: number, metrics: Record<string, number>) =>
  device.publishAsync(deviceTopics.telemetry(id), encodeMessage('telemetry', { v: 1, ts, seq, metrics }), { qos: 1 });

async function readingsOf(gw: TestGateway, id: string): Promise<StoredReading[]> {
  return (await gw.api<{ readings: StoredReading[] }>(`/api/v1/devices/${id}/readings?limit=1000`)).body.readings.reverse();
}

/** The latest summary per window of `metric`, from the outbox (the hub upserts by window). */
function summaries(dataDir: string, deviceId: string, metric: string): { count: number; predictedCount: number } {
  const db = new Database(join(dataDir, 'gateway.sqlite'), { readonly: true });
  try {
    const latest = new Map<string, { count: number; predictedCount: number }>();
    for (const { payload } of db.prepare<[], { payload: string }>("SELECT payload FROM outbox WHERE class = 'summary' ORDER BY id").all()) {
      const s = JSON.parse(payload) as { deviceId: string; metric: string; windowStartMs: number; windowMs: number; count: number; predictedCount: number };
      if (s.deviceId === deviceId && s.metric === metric) latest.set(`${s.windowStartMs}|${s.windowMs}`, s);
    }
    return [...latest.values()].reduce((a, s) => ({ count: a.count + s.count, predictedCount: a.predictedCount + s.predictedCount }), { count: 0, predictedCount: 0 });
  } finally {
    db.close();
  }
}

describe('adaptive reporting end to end', () => {
  it('policy set through the API reaches the device retained; the stored stream (real + predicted) stays within tolerance, the spike is real, audit and summaries tell them apart', async () => {
    const gw = await startTestGateway({ limits: { deviceMsgsPerSec: 100_000, deviceBurst: 100_000 } });
    try {
      const secrets = await gw.provision('bat-1');
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const tolerance = { temperature: 0.5, humidity: 2 };

      const refused = await gw.api<{ error: { code: string; message: string } }>('/api/v1/devices/bat-1/reporting', { method: 'PUT', body: JSON.stringify({ intervalMs: 1000, tolerance }) });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'GW_ERR_BAD_REQUEST');
      assert.match(refused.body.error.message, /tolerance: tolerance applies to mode 'adaptive' only/);
      assert.equal((await gw.api('/api/v1/devices/nobody/reporting', { method: 'PUT', body: JSON.stringify({ intervalMs: 1000 }) })).status, 404);

      const policy = { intervalMs: INTERVAL_MS, mode: 'adaptive', predictor: 'lms', tolerance, maxSilenceMs: 30_000 };
      const put = await gw.api<ReportingView & { config: DeviceConfig }>('/api/v1/devices/bat-1/reporting', { method: 'PUT', body: JSON.stringify(policy) });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual(put.body.policy, policy);
      assert.deepEqual((await gw.api<ReportingView>('/api/v1/devices/bat-1/reporting')).body.effective, policy);

      // The device connects afterwards: the config is retained on its topic.
      const device = await connectDevice(url, 'bat-1', secrets['bat-1']!);
      const config = await receiveConfig(device, 'bat-1');
      assert.equal(config.configVersion, put.body.config.configVersion);
      assert.deepEqual(config.reporting, policy);

      // The device side: the shared sender over a generated signal with a spike at sample 150.
      const sender = new AdaptiveSender(adaptivePolicyOf(config.reporting)!);
      const truth = signal(400, 150);
      const sent = new Set<number>();
      for (const [i, real] of truth.entries()) {
        const d = sender.sample(real)!;
        assert.equal(d.seq, i);
        if (!d.transmit) continue;
        sent.add(i);
        await send(device, 'bat-1', i, T0 + i * INTERVAL_MS, real);
      }
      await device.endAsync();
      assert.ok(sent.has(150), 'the spike was sent');
      assert.ok(sent.size < truth.length * 0.5, `adaptive reporting saved transmissions (${sent.size} of ${truth.length} sent)`);

      const lastSent = Math.max(...sent);
      const stored = await readingsOf(gw, 'bat-1');
      const bySeq = new Map(stored.map((r) => [r.seq!, r]));
      assert.equal(stored.length, lastSent + 1, 'one row per sample index up to the last transmission');
      for (let i = 0; i <= lastSent; i++) {
        const r = bySeq.get(i);
        assert.ok(r, `sample ${i} stored`);
        assert.equal(r.predicted === true, !sent.has(i), `sample ${i}: predicted iff not sent`);
        assert.equal(r.ts, T0 + i * INTERVAL_MS, `sample ${i}: ts spaced by the interval`);
        for (const [metric, value] of Object.entries(truth[i]!)) {
          assert.ok(Math.abs(r.metrics[metric]! - value) <= tolerance[metric as keyof typeof tolerance], `sample ${i} ${metric}: stored ${r.metrics[metric]}, true ${value}`);
        }
      }
      assert.deepEqual(bySeq.get(150)!.metrics, truth[150], 'the spike is stored as sent');
      assert.equal(bySeq.get(150)!.predicted, undefined);

      const predictedRows = stored.filter((r) => r.predicted).length;
      const audit = (await gw.api<Audit>('/api/v1/devices/bat-1/audit')).body;
      assert.equal(audit.stored, sent.size, 'the audit counts readings the device sent');
      assert.equal(audit.predicted, predictedRows);
      assert.equal(audit.duplicates, 0);
      assert.deepEqual(audit.missing, [], 'skipped and filled samples are not gaps');
      const view = (await gw.api<ReportingView>('/api/v1/devices/bat-1/reporting')).body;
      assert.deepEqual({ synced: view.adaptive?.synced, transmissions: view.adaptive?.transmissions, filled: view.adaptive?.filled, desyncs: view.adaptive?.desyncs }, { synced: true, transmissions: sent.size, filled: predictedRows, desyncs: 0 });

      // edge-runtime gets the filled samples too, marked.
      const runtime = await connectInternal(url, gw.gateway.internalSecret, 'edge-runtime');
      const fed: LocalReadingsBatch['readings'] = [];
      runtime.on('message', (topic, payload) => topic === localTopics.readings() && fed.push(...decodeMessage('localReadingsBatch', payload).message.readings));
      await runtime.subscribeAsync(localTopics.readings(), { qos: 1 });
      await waitFor('every stored reading at the runtime', async () => fed.length >= stored.length, 10_000);
      assert.equal(fed.filter((r) => r.predicted === true).length, predictedRows);
      assert.deepEqual(new Set(fed.filter((r) => r.predicted).map((r) => r.id)), new Set(stored.filter((r) => r.predicted).map((r) => r.id)));
      await runtime.endAsync();
    } finally {
      await gw.close({ keepData: true });
    }
    // A clean stop writes every open window: the summaries count the filled values apart.
    const stored = summaries(gw.dataDir, 'bat-1', 'temperature');
    const db = new Database(join(gw.dataDir, 'gateway.sqlite'), { readonly: true });
    const rows = db.prepare<[], { n: number; p: number }>("SELECT COUNT(*) AS n, SUM(predicted) AS p FROM readings WHERE device_id = 'bat-1'").get()!;
    db.close();
    assert.deepEqual(stored, { count: rows.n, predictedCount: rows.p });
    assert.ok(rows.p > 0);
  });

  it('a seq gap beyond the heartbeat and a gateway restart stop the filling until the device starts a new epoch, which the gateway asks for with a new configVersion', async () => {
    let gw = await startTestGateway({ limits: { deviceMsgsPerSec: 100_000, deviceBurst: 100_000 } });
    const secrets = await gw.provision('bat-2');
    try {
      const policy = { intervalMs: INTERVAL_MS, mode: 'adaptive', predictor: 'last-value', tolerance: { x: 1 }, maxSilenceMs: 5000 };
      assert.equal((await gw.api('/api/v1/devices/bat-2/reporting', { method: 'PUT', body: JSON.stringify(policy) })).status, 200);
      let device = await connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'bat-2', secrets['bat-2']!);
      const first = await receiveConfig(device, 'bat-2');
      const at = (seq: number, epoch = 0) => T0 + epoch * 100_000 + seq * INTERVAL_MS;

      await send(device, 'bat-2', 0, at(0), { x: 1 });
      await send(device, 'bat-2', 3, at(3), { x: 1.5 });
      // Nine samples after seq 3 with a heartbeat of five: a transmission was lost, or the device restarted.
      const resync = collect(device, deviceTopics.config('bat-2'), 1, 5000);
      await send(device, 'bat-2', 12, at(12), { x: 4 });
      const [again] = await resync;
      assert.ok(again, 'the gateway published the config again');
      const second = decodeMessage('deviceConfig', again).message;
      assert.ok(second.configVersion > first.configVersion);
      await send(device, 'bat-2', 13, at(13), { x: 4.2 });
      let view = (await gw.api<ReportingView>('/api/v1/devices/bat-2/reporting')).body;
      assert.equal(view.adaptive?.synced, false);
      assert.equal(view.adaptive?.desyncs, 1);
      // The device applied the new configVersion: a new epoch from seq 0.
      await send(device, 'bat-2', 0, at(0, 1), { x: 5 });
      await send(device, 'bat-2', 2, at(2, 1), { x: 5.2 });
      await device.endAsync();

      let stored = await readingsOf(gw, 'bat-2');
      assert.deepEqual(
        stored.map((r) => [r.seq, r.metrics.x, r.predicted ?? false]),
        [
          [0, 1, false],
          [1, 1, true],
          [2, 1, true],
          [3, 1.5, false],
          [12, 4, false],
          [13, 4.2, false],
          [0, 5, false],
          [1, 5, true],
          [2, 5.2, false],
        ],
      );
      assert.equal(stored.find((r) => r.seq === 1 && r.predicted && r.metrics.x === 5)!.ts, at(1, 1));

      // Restart: the predictor state is gone, so the config goes out again under a new configVersion.
      await gw.close({ keepData: true });
      gw = await startTestGateway({ limits: { deviceMsgsPerSec: 100_000, deviceBurst: 100_000 } }, gw.dataDir);
      device = await connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'bat-2', secrets['bat-2']!);
      const third = await receiveConfig(device, 'bat-2');
      assert.ok(third.configVersion > second.configVersion, `configVersion ${third.configVersion} after ${second.configVersion}`);
      assert.deepEqual(third.reporting, policy);
      await send(device, 'bat-2', 4, at(4, 1), { x: 7 });
      view = (await gw.api<ReportingView>('/api/v1/devices/bat-2/reporting')).body;
      assert.equal(view.adaptive?.synced, false, 'nothing is filled before the device starts a new epoch');
      await send(device, 'bat-2', 0, at(0, 2), { x: 8 });
      await send(device, 'bat-2', 3, at(3, 2), { x: 8.5 });
      await device.endAsync();
      stored = (await readingsOf(gw, 'bat-2')).slice(9);
      assert.deepEqual(
        stored.map((r) => [r.seq, r.metrics.x, r.predicted ?? false]),
        [
          [4, 7, false],
          [0, 8, false],
          [1, 8, true],
          [2, 8, true],
          [3, 8.5, false],
        ],
      );

      // Back to periodic: the policy goes, the config says so, nothing more is filled.
      const cleared = await gw.api<ReportingView & { config: DeviceConfig }>('/api/v1/devices/bat-2/reporting', { method: 'DELETE' });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.policy, null);
      assert.equal(cleared.body.adaptive, null);
      assert.ok(cleared.body.config.configVersion > third.configVersion);
      assert.equal(cleared.body.config.reporting, undefined);
    } finally {
      await gw.close();
    }
  });

  it('battery forecast: a least-squares line through the battery history of the device’s state', async () => {
    const gw = await startTestGateway();
    try {
      const secrets = await gw.provision('bat-3');
      const device = await connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'bat-3', secrets['bat-3']!);
      const hour = 3_600_000;
      assert.equal((await gw.api<{ batteryForecast: unknown }>('/api/v1/devices/bat-3')).body.batteryForecast, null);
      // One state an hour (device time), 1 % down each time; a second state within five minutes is not a new point.
      for (let i = 0; i < 6; i++) {
        await device.publishAsync(deviceTopics.state('bat-3'), encodeMessage('state', { v: 1, ts: T0 + i * hour, battery: { percent: 90 - i } }), { qos: 1 });
        await device.publishAsync(deviceTopics.state('bat-3'), encodeMessage('state', { v: 1, ts: T0 + i * hour + 60_000, battery: { percent: 10 } }), { qos: 1 });
      }
      await device.endAsync();
      const { body } = await gw.api<{ batteryPercent: number; batteryForecast: { percentPerDay: number; emptyAt: number; basedOnSamples: number } }>('/api/v1/devices/bat-3');
      assert.equal(body.batteryForecast.basedOnSamples, 6);
      assert.equal(body.batteryForecast.percentPerDay, -24);
      assert.ok(Math.abs(body.batteryForecast.emptyAt - (T0 + 5 * hour + 85 * hour)) < 1000, `emptyAt ${body.batteryForecast.emptyAt}`);
      const list = (await gw.api<{ devices: { id: string; batteryForecast: unknown }[] }>('/api/v1/devices')).body.devices;
      assert.deepEqual(list.find((d) => d.id === 'bat-3')!.batteryForecast, body.batteryForecast);
    } finally {
      await gw.close();
    }
  });
});
