// The whole runtime over real MQTT (Mosquitto standing in for the gateway's broker): readings in, alerts and
// status out, bad payloads survived, a refused offer reported, a broker restart reconnected, a clean close.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMessage, encodeMessage, type LocalAlert, type LocalRuntimeStatus, localTopics, type StoredReading } from '@outpost/protocols';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { loadRuntimeConfig } from '../src/config/load-config.js';
import { createRuntime, type Runtime } from '../src/create-runtime.js';
import { stateFilePath } from '../src/state/state-file.js';
import { hasMosquitto, startMosquitto } from './helpers/mosquitto.js';
import { readingStream } from './helpers/core-fixture.js';
import { writeTestModel } from './helpers/test-models.js';

/** Wait for a condition the runtime reaches asynchronously; fails with `what` if it never does. */
async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('edge-runtime over MQTT', { skip: hasMosquitto() ? false : 'mosquitto is not installed' }, () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let gateway: MqttClient;
  let runtime: Runtime;
  const alerts: LocalAlert[] = [];
  const statuses: LocalRuntimeStatus[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outpost-rt-mqtt-'));
    broker = await startMosquitto(dir);
    const model = await writeTestModel(join(dir, 'models'), { window: 4 });
    writeFileSync(join(dir, 'internal-secret'), 'an-internal-secret-of-enough-length\n');
    writeFileSync(join(dir, 'rules.yaml'), 'rules:\n  - id: overheat\n    kind: threshold\n    metric: temperature\n    op: ">"\n    value: 100\n    severity: critical\n');
    mkdirSync(join(dir, 'runtime'));
    writeFileSync(stateFilePath(join(dir, 'runtime')), '{"v":1,"savedAt":'); // a torn file from some old crash
    gateway = await connectAsync(broker.url, { clientId: 'gateway-stand-in', reconnectPeriod: 100 });
    gateway.on('message', (topic, payload) => {
      if (topic === localTopics.alerts()) alerts.push(decodeMessage('localAlert', payload).message);
      if (topic === localTopics.runtimeStatus()) statuses.push(decodeMessage('localRuntimeStatus', payload).message);
    });
    gateway.on('connect', () => void gateway.subscribe([localTopics.alerts(), localTopics.runtimeStatus()], { qos: 1 }));
    await gateway.subscribeAsync([localTopics.alerts(), localTopics.runtimeStatus()], { qos: 1 });
    const config = loadRuntimeConfig({
      env: {},
      overrides: {
        mqttUrl: broker.url,
        dataDir: join(dir, 'runtime'),
        internalSecretFile: join(dir, 'internal-secret'),
        models: [model.manifestPath],
        rulesFile: join(dir, 'rules.yaml'),
        mqtt: { reconnectMinMs: 50, reconnectMaxMs: 200 },
        status: { intervalMs: 300 }, // the stand-in may resubscribe after a restart later than the runtime reports
      },
    });
    runtime = createRuntime(config, { logger: pino({ level: 'silent' }) });
    await runtime.start();
  });

  after(async () => {
    await gateway?.endAsync(true);
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const publishBatch = (readings: StoredReading[]) => gateway.publishAsync(localTopics.readings(), encodeMessage('localReadingsBatch', { v: 1, readings }), { qos: 1 });

  test('reports ready with its model, then turns readings into alerts', async () => {
    assert.equal(runtime.events.count('state_problem.RT_ERR_STATE_CORRUPT'), 1, 'the torn state file was logged and ignored');
    await until('a ready status', () => statuses.some((s) => s.state === 'ready' && s.modelVersion === 'ae-test@1.0.0'));
    for (const batch of readingStream({ devices: 3, steps: 12 })) await publishBatch(batch);
    const hotTs = 1_700_000_000_000 + 12_000;
    await publishBatch([{ id: 9999, deviceId: 'dev-0', ts: hotTs, receivedAt: hotTs, metrics: { temperature: 500 } }]);
    await until('model alerts for every device and the rule alert', () => new Set(alerts.filter((a) => a.kind === 'autoencoder').map((a) => a.deviceId)).size === 3 && alerts.some((a) => a.kind === 'overheat'));
    const rule = alerts.find((a) => a.kind === 'overheat')!;
    assert.deepEqual([rule.source, rule.severity, rule.score, rule.threshold], ['rule', 'critical', 500, 100]);
    assert.equal(alerts.filter((a) => a.kind === 'autoencoder').length, 3, 'the default 60 s cooldown: one per device');
  });

  test('invalid payloads are acknowledged, counted and survived', async () => {
    await gateway.publishAsync(localTopics.readings(), Buffer.from('not json'), { qos: 1 });
    await gateway.publishAsync(localTopics.readings(), Buffer.from(JSON.stringify({ v: 1, readings: [] })), { qos: 1 });
    await gateway.publishAsync(localTopics.modelOffer(), Buffer.from(JSON.stringify({ v: 2 })), { qos: 1 });
    await until('three dropped messages', () => runtime.events.count('batch_dropped') === 3);
    assert.equal(runtime.events.count('batch_dropped.E_MALFORMED_JSON'), 1);
    assert.equal(runtime.events.count('batch_dropped.E_SCHEMA'), 1);
    assert.equal(runtime.events.count('batch_dropped.E_UNSUPPORTED_VERSION'), 1);
  });

  test('a refused model offer shows in the status detail while the old model keeps serving', async () => {
    const offer = { v: 1 as const, offerId: 'offer-7', manifestPath: join(dir, 'missing.json'), sha256: 'a'.repeat(64) };
    await gateway.publishAsync(localTopics.modelOffer(), encodeMessage('localModelOffer', offer), { qos: 1 });
    await until('the refusal in the status', () => statuses.some((s) => /offer offer-7 refused: RT_ERR_MODEL_INVALID/.test(s.detail ?? '')));
    const last = statuses.at(-1)!;
    assert.equal(last.state, 'ready');
    assert.equal(last.modelVersion, 'ae-test@1.0.0');
  });

  test('after a broker restart the runtime reconnects, subscribes again and scores', async () => {
    const seen = statuses.length;
    await broker.stop();
    await until('the runtime to notice', () => runtime.health.state === 'degraded');
    broker = await startMosquitto(dir, broker.port);
    await until('the stand-in gateway to reconnect', () => gateway.connected);
    await until('a ready status after the restart', () => statuses.slice(seen).some((s) => s.state === 'ready'));
    for (const batch of readingStream({ devices: 1, steps: 6, seed: 'after-restart' }).map((b) => b.map((r) => ({ ...r, deviceId: 'dev-new' })))) await publishBatch(batch);
    await until('an alert for the new device', () => alerts.some((a) => a.deviceId === 'dev-new'));
  });

  test('close publishes stopping and saves the state', async () => {
    await runtime.close();
    await until('a stopping status', () => statuses.at(-1)?.state === 'stopping');
    assert.ok(existsSync(stateFilePath(join(dir, 'runtime'))));
  });
});
