import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeMessage, localTopics, type LocalReadingsBatch } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { connectInternal, publishReadings, waitFor } from './helpers/sync-fixture.js';
import { startTestGateway } from './helpers/test-gateway.js';

const scratch = mkdtempSync(join(tmpdir(), 'outpost-runtime-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface RuntimeView {
  supervisor: { state: string; pid: number | null; restarts: number; lastExit: { code: number | null; signal: string | null } | null };
  feed: { pending: number; sent: number; skipped: number; runtimeConnected: boolean };
}

/** Subscribe as edge-runtime does and gather every reading the feed delivers. */
async function runtimeSubscriber(url: string, secret: string) {
  const client: MqttClient = await connectInternal(url, secret, 'edge-runtime');
  const readings: LocalReadingsBatch['readings'] = [];
  let batches = 0;
  client.on('message', (topic, payload) => {
    if (topic !== localTopics.readings()) return;
    batches++;
    readings.push(...decodeMessage('localReadingsBatch', payload).message.readings);
  });
  await client.subscribeAsync(localTopics.readings(), { qos: 1 });
  return { client, readings, batches: () => batches };
}

describe('readings feed to edge-runtime', () => {
  it('delivers every committed reading once, with its store id, in valid batches', async () => {
    const gw = await startTestGateway({ runtime: { enabled: false, batchMaxReadings: 100 }, limits: { deviceMsgsPerSec: 100_000, deviceBurst: 100_000 } });
    try {
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const sub = await runtimeSubscriber(url, gw.gateway.internalSecret);
      const secrets = await gw.provision('dev-a', 'dev-b', 'dev-c');
      const acked = await publishReadings(url, secrets, 400);
      await waitFor('every reading at the runtime', async () => sub.readings.length >= acked, 20_000);
      assert.equal(sub.readings.length, acked, 'each reading once');
      const ids = sub.readings.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, 'store ids are unique');
      assert.ok(sub.batches() >= Math.ceil(acked / 100), `batches of at most 100 (${sub.batches()} for ${acked})`);
      // The ids are the store's: reading one back through the API finds the same values.
      const last = sub.readings.filter((r) => r.deviceId === 'dev-b').at(-1)!;
      const stored = (await gw.api<{ readings: { id: number; metrics: Record<string, number> }[] }>('/api/v1/devices/dev-b/readings?limit=1')).body.readings[0]!;
      assert.equal(stored.id, last.id);
      assert.deepEqual(stored.metrics, last.metrics);
      const view = (await gw.api<RuntimeView>('/api/v1/runtime')).body;
      assert.equal(view.feed.sent, acked);
      assert.equal(view.feed.skipped, 0);
      assert.equal(view.supervisor.state, 'disabled');
      await sub.client.endAsync();
    } finally {
      await gw.close();
    }
  });

  it('holds readings while no runtime listens, up to its bound, then skips the oldest and counts them', async () => {
    const gw = await startTestGateway({ runtime: { enabled: false, maxPendingReadings: 1000 }, limits: { deviceMsgsPerSec: 100_000, deviceBurst: 100_000 } });
    try {
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const secrets = await gw.provision('dev-a', 'dev-b');
      const acked = await publishReadings(url, secrets, 1000);
      const before = (await gw.api<RuntimeView>('/api/v1/runtime')).body.feed;
      assert.equal(before.pending, 1000);
      assert.equal(before.skipped, acked - 1000);
      const sub = await runtimeSubscriber(url, gw.gateway.internalSecret);
      await waitFor('the held readings at the runtime', async () => sub.readings.length >= 1000, 20_000);
      assert.equal(sub.readings.length, 1000, 'the newest 1000, once each');
      const maxId = Math.max(...sub.readings.map((r) => r.id));
      assert.equal(Math.min(...sub.readings.map((r) => r.id)), maxId - 999, 'the oldest were the ones skipped');
      await sub.client.endAsync();
    } finally {
      await gw.close();
    }
  });

  it('refuses a model offer with a code while edge-runtime is not connected, and validates the body', async () => {
    const gw = await startTestGateway();
    try {
      const offer = { manifestPath: '/tmp/m.json', sha256: 'a'.repeat(64) };
      const refused = await gw.api<{ error: { code: string } }>('/api/v1/runtime/models/offer', { method: 'POST', body: JSON.stringify(offer) });
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, 'GW_ERR_RUNTIME_UNAVAILABLE');
      const bad = await gw.api<{ error: { code: string } }>('/api/v1/runtime/models/offer', { method: 'POST', body: JSON.stringify({ ...offer, sha256: 'xyz' }) });
      assert.equal(bad.status, 400);
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const sub = await runtimeSubscriber(url, gw.gateway.internalSecret);
      const offers: Buffer[] = [];
      sub.client.on('message', (topic, payload) => topic === localTopics.modelOffer() && offers.push(payload));
      await sub.client.subscribeAsync(localTopics.modelOffer(), { qos: 1 });
      const accepted = await gw.api<{ offerId: string }>('/api/v1/runtime/models/offer', { method: 'POST', body: JSON.stringify(offer) });
      assert.equal(accepted.status, 202);
      await waitFor('the offer at the runtime', async () => offers.length === 1, 5000);
      assert.deepEqual(decodeMessage('localModelOffer', offers[0]!).message, { v: 1, offerId: accepted.body.offerId, ...offer });
      await sub.client.endAsync();
    } finally {
      await gw.close();
    }
  });
});

describe('edge-runtime supervision', () => {
  it('restarts a crashing runtime with growing delays while the broker keeps serving devices', async () => {
    const entry = join(scratch, 'crash.mjs');
    writeFileSync(entry, 'process.exit(3);\n');
    const gw = await startTestGateway({ runtime: { enabled: true, entry, restartBaseMs: 50, restartMaxMs: 400 } });
    try {
      const view = await waitFor('three restarts', async () => {
        const body = (await gw.api<RuntimeView>('/api/v1/runtime')).body;
        return body.supervisor.restarts >= 3 ? body : undefined;
      }, 20_000, 50);
      assert.equal(view.supervisor.lastExit?.code, 3);
      const secrets = await gw.provision('dev-a');
      assert.equal(await publishReadings(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, secrets, 20), 20, 'devices are served meanwhile');
    } finally {
      await gw.close();
    }
    assert.equal(gw.gateway.runtime.status().state, 'stopped');
  });

  it('restarts a killed runtime, and stops it with SIGTERM on close', async () => {
    const entry = join(scratch, 'idle.mjs');
    const marker = join(scratch, 'terminated');
    writeFileSync(entry, `process.on('SIGTERM', () => { require_fs().writeFileSync(${JSON.stringify(marker)}, 'ok'); process.exit(0); });\nfunction require_fs() { return process.getBuiltinModule('node:fs'); }\nsetInterval(() => {}, 1000);\n`);
    const gw = await startTestGateway({ runtime: { enabled: true, entry, restartBaseMs: 50, restartMaxMs: 100 } });
    let firstPid: number | null = null;
    try {
      firstPid = (await waitFor('a running child', async () => gw.gateway.runtime.status().pid ?? undefined, 10_000, 50)) as number;
      assert.equal(gw.gateway.runtime.kill('SIGKILL'), true);
      const secondPid = await waitFor('a new child', async () => {
        const pid = gw.gateway.runtime.status().pid;
        return pid !== null && pid !== firstPid ? pid : undefined;
      }, 10_000, 50);
      assert.notEqual(secondPid, firstPid);
      assert.equal(gw.gateway.runtime.status().lastExit?.signal, 'SIGKILL');
      // Give the new child time to install its SIGTERM handler before close() sends it.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await gw.close({ keepData: true });
    }
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(marker, 'utf8'), 'ok', 'the child got SIGTERM and exited cleanly');
  });
});
