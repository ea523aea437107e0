import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { cliAddDevices, startGatewayProcess } from './helpers/gateway-process.js';
import { connectDevice } from './helpers/test-gateway.js';

const DEVICES = 20;
const WINDOW = 8;
const LOAD_MS = 1500;

interface Audit {
  stored: number;
  duplicates: number;
  minSeq: number | null;
  maxSeq: number | null;
  missing: [number, number][];
}

/** Publish QoS 1 readings with a window of unacked messages per device; remember every seq whose PUBACK came back. */
function loadDevice(client: MqttClient, id: string, acked: Set<number>): { stop: () => void } {
  let seq = 0;
  let stopped = false;
  const pump = () => {
    if (stopped || !client.connected) return;
    const mine = seq++;
    const payload = encodeMessage('telemetry', { v: 1, seq: mine, metrics: { load: mine % 100 } }, mine % 2 ? 'cbor' : 'json');
    client.publish(deviceTopics.telemetry(id), payload, { qos: 1 }, (err) => {
      if (!err) acked.add(mine);
      // Not a direct call: after the kill MQTT.js fails queued publishes synchronously.
      setImmediate(pump);
    });
  };
  for (let i = 0; i < WINDOW; i++) pump();
  return { stop: () => (stopped = true) };
}

function missingAcked(acked: Set<number>, audit: Audit): number[] {
  const lost: number[] = [];
  for (const seq of acked) {
    const inRange = audit.minSeq !== null && audit.maxSeq !== null && seq >= audit.minSeq && seq <= audit.maxSeq;
    if (!inRange || audit.missing.some(([from, to]) => seq >= from && seq <= to)) lost.push(seq);
  }
  return lost;
}

async function runAndStop(signal: 'SIGKILL' | 'SIGTERM') {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-durability-'));
  const ids = Array.from({ length: DEVICES }, (_, i) => `dur-${i}`);
  const secrets = await cliAddDevices(dataDir, ids);
  const first = await startGatewayProcess(dataDir);
  const acked = new Map(ids.map((id) => [id, new Set<number>()]));
  const clients = await Promise.all(ids.map((id) => connectDevice(`mqtt://127.0.0.1:${first.mqttPort}`, id, secrets[id]!)));
  for (const c of clients) c.on('error', () => {});
  const loads = clients.map((c, i) => loadDevice(c, ids[i]!, acked.get(ids[i]!)!));
  await new Promise((r) => setTimeout(r, LOAD_MS));
  first.child.kill(signal);
  const code = await first.exited;
  for (const l of loads) l.stop();
  for (const c of clients) c.end(true);

  const second = await startGatewayProcess(dataDir);
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  let totalAcked = 0;
  const lost: Record<string, number[]> = {};
  let duplicates = 0;
  for (const id of ids) {
    const res = await fetch(`http://127.0.0.1:${second.httpPort}/api/v1/devices/${id}/audit`, { headers: { authorization: `Bearer ${token}` } });
    const audit = (await res.json()) as Audit;
    const set = acked.get(id)!;
    totalAcked += set.size;
    duplicates += audit.duplicates;
    const missing = missingAcked(set, audit);
    if (missing.length > 0) lost[id] = missing.slice(0, 10);
  }
  second.child.kill('SIGTERM');
  await second.exited;
  rmSync(dataDir, { recursive: true, force: true });
  return { code, totalAcked, lost, duplicates };
}

describe('acknowledged means durable (gateway as a child process)', () => {
  it('loses no acknowledged reading when the gateway is killed with SIGKILL under QoS 1 load', async () => {
    const result = await runAndStop('SIGKILL');
    assert.equal(result.code, null, 'the gateway died by signal');
    assert.ok(result.totalAcked > 100, `the load produced acknowledged readings (${result.totalAcked})`);
    assert.deepEqual(result.lost, {}, `acknowledged readings missing after restart (of ${result.totalAcked} acked)`);
    assert.equal(result.duplicates, 0);
  });

  it('commits everything acknowledged and exits 0 on SIGTERM under load', async () => {
    const result = await runAndStop('SIGTERM');
    assert.equal(result.code, 0);
    assert.ok(result.totalAcked > 100);
    assert.deepEqual(result.lost, {});
  });
});
