import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeMessage, deviceTopics, encodeMessage } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { type TestGateway, collect, connectDevice, startTestGateway } from './helpers/test-gateway.js';
import { deviceArgs, runMosquittoClient } from './helpers/mosquitto-clients.js';

interface Audit {
  stored: number;
  distinctSeqs: number;
  duplicates: number;
  missing: [number, number][];
  maxSeq: number | null;
}

const telemetry = (seq: number, encoding: 'json' | 'cbor' = 'json') => encodeMessage('telemetry', { v: 1, ts: Date.now(), seq, metrics: { temp: 20 + seq / 10 } }, encoding);

function publish(client: MqttClient, topic: string, payload: Buffer, qos: 0 | 1, dup = false): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos, dup }, (err) => (err ? reject(err) : resolve())));
}

describe('gateway ingest with real MQTT clients', () => {
  let gw: TestGateway;
  let secrets: Record<string, string>;
  let url: string;

  before(async () => {
    gw = await startTestGateway({ limits: { maxPayloadBytes: 512, deviceMsgsPerSec: 200, deviceBurst: 50 } });
    secrets = await gw.provision('mqttjs-1', 'mosq-1', 'bad-1', 'flood-1', 'events-1', 'dup-1');
    url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
  });
  after(() => gw.close());

  it('stores QoS 0 and QoS 1 readings in JSON and CBOR from MQTT.js', async () => {
    const client = await connectDevice(url, 'mqttjs-1', secrets['mqttjs-1']!);
    const topic = deviceTopics.telemetry('mqttjs-1');
    for (let seq = 0; seq < 40; seq++) await publish(client, topic, telemetry(seq, seq % 2 ? 'cbor' : 'json'), 1);
    for (let seq = 40; seq < 60; seq++) await publish(client, topic, telemetry(seq, seq % 2 ? 'cbor' : 'json'), 0);
    client.end();
    // QoS 0 has no ack to wait for; the audit converges once the last batch commits.
    let audit: Audit | undefined;
    for (let i = 0; i < 50 && (audit?.stored ?? 0) < 60; i++) {
      audit = (await gw.api<Audit>('/api/v1/devices/mqttjs-1/audit')).body;
      if (audit.stored < 60) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual({ stored: audit!.stored, duplicates: audit!.duplicates, missing: audit!.missing, maxSeq: audit!.maxSeq }, { stored: 60, duplicates: 0, missing: [], maxSeq: 59 });
    const latest = await gw.api<{ readings: { seq: number; metrics: { temp: number } }[] }>('/api/v1/devices/mqttjs-1/readings?limit=1');
    assert.equal(latest.body.readings[0]!.seq, 59);
    assert.equal(latest.body.readings[0]!.metrics.temp, 25.9);
  });

  it('acks a resent QoS 1 reading (DUP) without storing it twice, whether the first copy is stored or still in flight', async () => {
    const client = await connectDevice(url, 'dup-1', secrets['dup-1']!);
    const topic = deviceTopics.telemetry('dup-1');
    const sent = Array.from({ length: 10 }, (_, seq) => telemetry(seq));
    for (const payload of sent) await publish(client, topic, payload, 1);
    // Resends of stored readings, then a reading and its resend in flight together.
    await publish(client, topic, sent[3]!, 1, true);
    await publish(client, topic, sent[7]!, 1, true);
    const late = telemetry(10);
    await Promise.all([publish(client, topic, late, 1), publish(client, topic, late, 1, true)]);
    let audit = (await gw.api<Audit>('/api/v1/devices/dup-1/audit')).body;
    assert.deepEqual({ stored: audit.stored, duplicates: audit.duplicates, missing: audit.missing }, { stored: 11, duplicates: 0, missing: [] });
    // Without the DUP flag the same bytes are a new message: stored (at least once), and the audit shows it.
    await publish(client, topic, sent[3]!, 1);
    audit = (await gw.api<Audit>('/api/v1/devices/dup-1/audit')).body;
    assert.deepEqual({ stored: audit.stored, duplicates: audit.duplicates }, { stored: 12, duplicates: 1 });
    client.end();
  });

  it('stores readings from mosquitto_pub, an independent client, at QoS 1 in JSON and CBOR', async () => {
    const args = deviceArgs(gw.addresses.mqttPort, 'mosq-1', secrets['mosq-1']!);
    const topic = deviceTopics.telemetry('mosq-1');
    const json = await runMosquittoClient('mosquitto_pub', [...args, '-q', '1', '-t', topic, '-m', telemetry(0).toString()]);
    assert.equal(json.code, 0, json.stderr);
    const cborFile = join(gw.dataDir, 'reading.cbor');
    writeFileSync(cborFile, telemetry(1, 'cbor'));
    const cbor = await runMosquittoClient('mosquitto_pub', [...args, '-q', '1', '-t', topic, '-f', cborFile]);
    assert.equal(cbor.code, 0, cbor.stderr);
    const audit = (await gw.api<Audit>('/api/v1/devices/mosq-1/audit')).body;
    assert.equal(audit.stored, 2);
    assert.deepEqual(audit.missing, []);
  });

  it('refuses malformed JSON, malformed CBOR, bad schema and oversized payloads with their codes, keeps them as dead letters, and stays up', async () => {
    const client = await connectDevice(url, 'bad-1', secrets['bad-1']!);
    await new Promise<void>((resolve, reject) => client.subscribe(deviceTopics.errors('bad-1'), { qos: 0 }, (err) => (err ? reject(err) : resolve())));
    const errors = collect(client, deviceTopics.errors('bad-1'), 5);
    const topic = deviceTopics.telemetry('bad-1');
    await publish(client, topic, telemetry(0), 1);
    await publish(client, topic, Buffer.from('{"v":1,"metrics":'), 1);
    await publish(client, topic, Buffer.from([0xa2, 0x61, 0x76, 0x01, 0x67]), 1);
    await publish(client, topic, Buffer.from('{"v":1,"metrics":{"9lives":1}}'), 1);
    await publish(client, topic, Buffer.from('{"v":7,"metrics":{"a":1}}'), 1);
    await publish(client, topic, Buffer.from(JSON.stringify({ v: 1, metrics: { a: 1 }, pad: 'x'.repeat(600) })), 1);
    await publish(client, topic, telemetry(1), 1);
    const codes = (await errors).map((p) => decodeMessage('deviceError', p).message.code);
    assert.deepEqual(codes, ['E_MALFORMED_JSON', 'E_MALFORMED_CBOR', 'E_SCHEMA', 'E_UNSUPPORTED_VERSION', 'E_PAYLOAD_TOO_LARGE']);
    assert.ok(client.connected, 'a bad payload does not cost the device its connection');
    client.end();

    const dead = (await gw.api<{ deadLetters: { deviceId: string; code: string; payloadBytes: number }[] }>('/api/v1/dead-letters')).body.deadLetters.filter((d) => d.deviceId === 'bad-1');
    assert.deepEqual(dead.map((d) => d.code).reverse(), codes);
    const audit = (await gw.api<Audit>('/api/v1/devices/bad-1/audit')).body;
    assert.equal(audit.stored, 2, 'the valid readings around the bad ones are stored');
    const stats = (await gw.api<{ refusals: Record<string, number> }>('/api/v1/stats')).body;
    for (const code of codes) assert.ok((stats.refusals[code] ?? 0) >= 1, `counter for ${code}`);
    const metrics = await fetch(`http://127.0.0.1:${gw.addresses.httpPort}/metrics`, { headers: { authorization: `Bearer ${gw.gateway.apiToken.value}` } });
    assert.match(await metrics.text(), /outpost_gw_refusals_total\{reason="E_MALFORMED_CBOR"\} 1/);
  });

  it('throttles a flood past the device rate limit instead of dropping it', async () => {
    const client = await connectDevice(url, 'flood-1', secrets['flood-1']!);
    const topic = deviceTopics.telemetry('flood-1');
    // 300 messages against a burst of 50 and 200/s: the last ones must wait about a second.
    await Promise.all(Array.from({ length: 300 }, (_, seq) => publish(client, topic, telemetry(seq), 1)));
    client.end();
    const stats = (await gw.api<{ refusals: Record<string, number> }>('/api/v1/stats')).body;
    assert.ok((stats.refusals.E_RATE_LIMITED ?? 0) > 0, 'rate limiting was applied');
    const audit = (await gw.api<Audit>('/api/v1/devices/flood-1/audit')).body;
    assert.deepEqual({ stored: audit.stored, missing: audit.missing, duplicates: audit.duplicates }, { stored: 300, missing: [], duplicates: 0 });
  });

  it('stores events, state and command results from their topics', async () => {
    const client = await connectDevice(url, 'events-1', secrets['events-1']!);
    await publish(client, deviceTopics.events('events-1'), encodeMessage('event', { v: 1, type: 'door-open', severity: 'warning' }), 1);
    await publish(client, deviceTopics.state('events-1'), encodeMessage('state', { v: 1, battery: { percent: 81 }, firmware: '1.2.3' }, 'cbor'), 1);
    await publish(client, deviceTopics.commandResults('events-1'), encodeMessage('commandResult', { v: 1, commandId: 'c-1', status: 'ok' }), 1);
    client.end();
    const device = (await gw.api<{ batteryPercent: number; firmware: string }>('/api/v1/devices/events-1')).body;
    assert.equal(device.batteryPercent, 81);
    assert.equal(device.firmware, '1.2.3');
    const stats = (await gw.api<{ ingest: { accepted: Record<string, number> } }>('/api/v1/stats')).body;
    assert.equal(stats.ingest.accepted.events, 1);
    assert.equal(stats.ingest.accepted['command-results'], 1);
  });
});
