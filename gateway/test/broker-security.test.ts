import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deviceTopics, encodeMessage, localTopics } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { DeviceRegistry } from '../src/store/device-registry.js';
import { openDatabase, storeFile } from '../src/store/database.js';
import { type TestGateway, connectDevice, startTestGateway, waitForClose } from './helpers/test-gateway.js';
import { deviceArgs, runMosquittoClient } from './helpers/mosquitto-clients.js';

const reading = encodeMessage('telemetry', { v: 1, seq: 0, metrics: { temp: 21 } });

function subscribe(client: MqttClient, topic: string): Promise<number> {
  // MQTT.js reports a negated subscription (SUBACK 0x80) as an error carrying the SUBACK.
  return new Promise((resolve, reject) =>
    client.subscribe(topic, { qos: 1 }, (err, granted) => {
      const negated = (err as { packet?: { granted?: number[] } } | undefined)?.packet?.granted?.[0];
      if (err) return negated === 128 ? resolve(128) : reject(err);
      resolve(granted![0]!.qos);
    }),
  );
}

describe('gateway authentication, ACL and connection limits', () => {
  let gw: TestGateway;
  let secrets: Record<string, string>;
  let url: string;

  before(async () => {
    gw = await startTestGateway({ limits: { maxConnectionsPerAddress: 1000 } });
    secrets = await gw.provision('dev-a', 'dev-b', 'dev-revoke-api', 'dev-revoke-cli', 'dev-acl');
    url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
  });
  after(() => gw.close());

  it('refuses a wrong secret, an unknown device and a client id that is not the device id', async () => {
    await assert.rejects(connectDevice(url, 'dev-a', 'not-the-secret'), /Bad username or password/);
    await assert.rejects(connectDevice(url, 'nobody', 'whatever'), /Bad username or password/);
    await assert.rejects(connectDevice(url, 'dev-a', secrets['dev-a']!, { clientId: 'dev-b' }), /Bad username or password/);
    const pub = await runMosquittoClient('mosquitto_pub', [...deviceArgs(gw.addresses.mqttPort, 'dev-a', 'wrong'), '-t', deviceTopics.telemetry('dev-a'), '-m', reading.toString()]);
    assert.notEqual(pub.code, 0);
    const ok = await runMosquittoClient('mosquitto_pub', [...deviceArgs(gw.addresses.mqttPort, 'dev-a', secrets['dev-a']!), '-q', '1', '-t', deviceTopics.telemetry('dev-a'), '-m', reading.toString()]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('disconnects a device revoked through the API at once and refuses it afterwards', async () => {
    const client = await connectDevice(url, 'dev-revoke-api', secrets['dev-revoke-api']!);
    const closed = waitForClose(client, 2000);
    const res = await gw.api<{ revokedAt: number; connected: boolean }>('/api/v1/devices/dev-revoke-api/revoke', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.ok(res.body.revokedAt > 0);
    await closed;
    client.end(true);
    await assert.rejects(connectDevice(url, 'dev-revoke-api', secrets['dev-revoke-api']!), /Not authorized/);
  });

  it('disconnects a device revoked from another process (the CLI path) within a second', async () => {
    const client = await connectDevice(url, 'dev-revoke-cli', secrets['dev-revoke-cli']!);
    const closed = waitForClose(client, 2000);
    const db = openDatabase(storeFile(gw.dataDir), { synchronous: 'full' });
    new DeviceRegistry(db, { scryptCost: 1024 }).revoke('dev-revoke-cli');
    db.close();
    await closed;
    client.end(true);
  });

  it('negates subscriptions outside the device namespace and to the local prefix', async () => {
    const client = await connectDevice(url, 'dev-acl', secrets['dev-acl']!);
    assert.equal(await subscribe(client, deviceTopics.commands('dev-acl')), 1);
    assert.equal(await subscribe(client, deviceTopics.allOf('dev-acl')), 1);
    assert.equal(await subscribe(client, deviceTopics.commands('dev-b')), 128);
    assert.equal(await subscribe(client, localTopics.all()), 128);
    assert.equal(await subscribe(client, '#'), 128);
    assert.equal(await subscribe(client, '$SYS/#'), 128);
    client.end();
  });

  it("disconnects a device that publishes to another device's topic or to the local prefix, and stores nothing of it", async () => {
    for (const topic of [deviceTopics.telemetry('dev-a'), localTopics.alerts(), deviceTopics.commands('dev-b'), 'anything/else']) {
      const client = await connectDevice(url, 'dev-b', secrets['dev-b']!);
      const closed = waitForClose(client, 2000);
      client.publish(topic, reading, { qos: 1 });
      await closed;
      client.end(true);
    }
    const stats = (await gw.api<{ refusals: Record<string, number> }>('/api/v1/stats')).body;
    assert.ok((stats.refusals.E_TOPIC_NOT_ALLOWED ?? 0) >= 4);
    const audit = (await gw.api<{ stored: number }>('/api/v1/devices/dev-a/audit')).body;
    assert.equal(audit.stored, 1, "only dev-a's own reading is stored under dev-a");
  });

  it('requires the API token everywhere but the health probes', async () => {
    const base = `http://127.0.0.1:${gw.addresses.httpPort}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    for (const path of ['/metrics', '/api/v1/devices', '/api/v1/stats']) {
      assert.equal((await fetch(`${base}${path}`)).status, 401, path);
      assert.equal((await fetch(`${base}${path}`, { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' } })).status, 401, path);
    }
    const created = await gw.api<{ id: string; secret: string }>('/api/v1/devices', { method: 'POST', body: JSON.stringify({ id: 'made-by-api' }) });
    assert.equal(created.status, 201);
    const client = await connectDevice(url, 'made-by-api', created.body.secret);
    client.end();
    const dup = await gw.api<{ error: { code: string } }>('/api/v1/devices', { method: 'POST', body: JSON.stringify({ id: 'made-by-api' }) });
    assert.deepEqual([dup.status, dup.body.error.code], [409, 'GW_ERR_DEVICE_EXISTS']);
    const bad = await gw.api<{ error: { code: string } }>('/api/v1/devices', { method: 'POST', body: JSON.stringify({ id: 'no/slashes' }) });
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'GW_ERR_DEVICE_ID']);
  });
});

describe('gateway transports and admission limits', () => {
  let gw: TestGateway;
  let secrets: Record<string, string>;

  before(async () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    gw = await startTestGateway({
      mqtt: { tlsPort: 0, tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') },
      limits: { maxConnectionsPerAddress: 3, connectRatePerSec: 0.01, connectBurst: 5 },
    });
    secrets = await gw.provision('ws-1', 'tls-1', 'c-1', 'c-2', 'c-3', 'c-4');
  });
  after(() => gw.close());

  it('accepts devices over WebSocket and over TLS with a pinned certificate', async () => {
    const ws = await connectDevice(`ws://127.0.0.1:${gw.addresses.wsPort}`, 'ws-1', secrets['ws-1']!);
    await ws.publishAsync(deviceTopics.telemetry('ws-1'), reading, { qos: 1 });
    ws.end();
    const ca = readFileSync(gw.gateway.config.mqtt.tlsCertFile!);
    const tls = await connectDevice(`mqtts://localhost:${gw.addresses.tlsPort}`, 'tls-1', secrets['tls-1']!, { ca, rejectUnauthorized: true });
    await tls.publishAsync(deviceTopics.telemetry('tls-1'), reading, { qos: 1 });
    tls.end();
    for (const id of ['ws-1', 'tls-1']) assert.equal((await gw.api<{ stored: number }>(`/api/v1/devices/${id}/audit`)).body.stored, 1, id);
  });

  it('limits connections per source address and the global connect rate', async () => {
    const held = [await connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'c-1', secrets['c-1']!), await connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'c-2', secrets['c-2']!), await connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'c-3', secrets['c-3']!)];
    await assert.rejects(connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'c-4', secrets['c-4']!), /closed before CONNACK|ECONNRESET/);
    // A different loopback address is a different source: admitted by the per-address rule,
    // then refused by the connect rate (its burst of 5 is spent by now) with CONNACK 3.
    await assert.rejects(connectDevice(`mqtt://127.0.0.1:${gw.addresses.mqttPort}`, 'c-4', secrets['c-4']!, { localAddress: '127.0.0.2' }), /Server unavailable/);
    for (const c of held) c.end();
    const stats = (await gw.api<{ refusals: Record<string, number> }>('/api/v1/stats')).body;
    assert.ok((stats.refusals.E_TOO_MANY_CONNECTIONS ?? 0) >= 1);
    assert.ok((stats.refusals.E_CONNECT_RATE ?? 0) >= 1);
  });
});
