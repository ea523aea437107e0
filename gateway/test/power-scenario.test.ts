// Power management end to end (acceptance): a gateway process with edge-runtime really running, its power
// readings simulated by a file this test writes, syncing to a hub process.
//   mains → battery → saver: the mode reaches the gateway API and the hub; in saver the raw-reading backlog
//   waits while an alert raised by the runtime's rule still reaches the hub.
//   → critical with power.criticalAction "shutdown": the gateway flushes and checkpoints its store and exits 0
//   under load; after a restart every acknowledged reading is there.
//   → mains again: performance, and the deferred backlog drains to the hub.
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { cliAddDevices, type GatewayProcess, startGatewayProcess } from './helpers/gateway-process.js';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { processApi, tempDir } from './helpers/sync-faults-common.js';
import { type HubCounts, type SyncView, hubAlertIds, waitFor } from './helpers/sync-fixture.js';
import { connectDevice } from './helpers/test-gateway.js';

const DEVICES = ['pw-0', 'pw-1', 'pw-2'];
const SAVER_READINGS = 40;

interface PowerView {
  mode: string | null;
  simulated: boolean | null;
  source: string | null;
  lastCritical: unknown;
}
interface HubGateway {
  id: string;
  powerMode: string | null;
  powerSimulated: boolean | null;
}
interface Audit {
  stored: number;
  minSeq: number | null;
  maxSeq: number | null;
  missing: [number, number][];
}

/** Stdout lines of a gateway process after its ready line (edge-runtime's included), parsed. */
function collectLines(gw: GatewayProcess): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  gw.child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  return lines;
}

const publish = (client: MqttClient, id: string, seq: number, temperature: number) =>
  client.publishAsync(deviceTopics.telemetry(id), encodeMessage('telemetry', { v: 1, seq, ts: Date.now(), metrics: { temperature } }), { qos: 1 });

/** QoS 1 readings with a window of 8 unacked per device until stopped; every seq whose PUBACK came back is recorded. */
function load(client: MqttClient, id: string, fromSeq: number, acked: Set<number>): { stop: () => void } {
  let seq = fromSeq;
  let stopped = false;
  const pump = () => {
    if (stopped || !client.connected) return;
    const mine = seq++;
    client.publish(deviceTopics.telemetry(id), encodeMessage('telemetry', { v: 1, seq: mine, ts: Date.now(), metrics: { temperature: 21 } }), { qos: 1 }, (err) => {
      if (!err) acked.add(mine);
      setImmediate(pump); // not a direct call: after the shutdown MQTT.js fails queued publishes synchronously
    });
  };
  for (let i = 0; i < 8; i++) pump();
  return { stop: () => (stopped = true) };
}

describe('gateway power management end to end (simulated power file, edge-runtime, hub)', () => {
  it('mains → battery → saver (alerts go, raw readings wait) → critical (flush, checkpoint, clean exit, nothing acked lost) → mains (backlog drains)', async () => {
    const hubDir = tempDir('outpost-hub-');
    const gwDir = tempDir('outpost-gw-');
    const powerFile = join(gwDir, 'power.json');
    const setPower = (values: object) => {
      writeFileSync(`${powerFile}.tmp`, JSON.stringify(values));
      renameSync(`${powerFile}.tmp`, powerFile);
    };
    setPower({ source: 'ac' });
    const rules = join(gwDir, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - id: overheat\n    kind: threshold\n    metric: temperature\n    op: ">"\n    value: 100\n    severity: critical\n');
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    const env = {
      OUTPOST_GW_RUNTIME_ENABLED: 'true',
      OUTPOST_GW_SYNC_HUB_URL: `127.0.0.1:${hub.grpcPort}`,
      OUTPOST_GW_SYNC_ENROLLMENT_TOKEN: token,
      OUTPOST_GW_SYNC_RAW_READINGS: 'true',
      OUTPOST_GW_SYNC_BACKOFF_BASE_MS: '100',
      OUTPOST_GW_SYNC_BACKOFF_MAX_MS: '1000',
      OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC: '100000',
      OUTPOST_GW_LIMITS_DEVICE_BURST: '100000',
      OUTPOST_GW_POWER_CRITICAL_ACTION: 'shutdown',
      OUTPOST_RT_POWER_SOURCE: 'file',
      OUTPOST_RT_POWER_FILE: powerFile,
      OUTPOST_RT_POWER_SAMPLE_INTERVAL_MS: '200',
      OUTPOST_RT_POWER_CONFIRM_SAMPLES: '1',
      OUTPOST_RT_POWER_MIN_DWELL_MS: '0',
      OUTPOST_RT_RULES_FILE: rules,
    };
    let gw: GatewayProcess | null = null;
    const clients: MqttClient[] = [];
    try {
      const secrets = await cliAddDevices(gwDir, DEVICES);
      gw = await startGatewayProcess(gwDir, 30_000, { env });
      let lines = collectLines(gw);
      let api = processApi(gwDir, gw.httpPort);
      const power = async () => (await api<PowerView>('/api/v1/power')).body;
      const inMode = (mode: string) => waitFor(`gateway mode ${mode}`, async () => ((await power()).mode === mode ? power() : undefined), 30_000);
      const gatewayId = (await waitFor('streaming to the hub', async () => {
        const v = (await api<SyncView>('/api/v1/sync')).body;
        return v.state === 'streaming' ? v : undefined;
      }, 30_000)).gatewayId!;
      const hubSees = (mode: string) =>
        waitFor(`the hub to show ${mode}`, async () => {
          const g = (await hub.api<HubGateway>(`/api/v1/gateways/${gatewayId}`)).body;
          return g.powerMode === mode ? g : undefined;
        }, 20_000);

      // Mains: performance, labelled simulated on the gateway and at the hub.
      const onMains = await inMode('performance');
      assert.deepEqual({ simulated: onMains.simulated, source: onMains.source }, { simulated: true, source: 'ac' });
      assert.equal((await hubSees('performance')).powerSimulated, true);

      // Battery, then saver.
      setPower({ source: 'battery', batteryPercent: 60, charging: false });
      await inMode('balanced');
      setPower({ source: 'battery', batteryPercent: 25, charging: false });
      await inMode('saver');
      assert.equal((await hubSees('saver')).powerSimulated, true);

      // In saver: readings are stored and their raw copies wait; the runtime's rule alert still goes out.
      const url = `mqtt://127.0.0.1:${gw.mqttPort}`;
      for (const id of DEVICES) clients.push(await connectDevice(url, id, secrets[id]!));
      for (const c of clients) c.on('error', () => {});
      await Promise.all(clients.map(async (c, d) => {
        for (let seq = 0; seq < SAVER_READINGS; seq++) await publish(c, DEVICES[d]!, seq, 21 + (seq % 3) / 10);
      }));
      await publish(clients[0]!, DEVICES[0]!, SAVER_READINGS, 140);
      const alertIds = await waitFor('the overheat alert at the hub', async () => {
        const ids = await hubAlertIds(hub.api, gatewayId);
        return ids.length > 0 ? ids : undefined;
      }, 30_000);
      assert.equal(alertIds.length, 1);
      const saverSync = (await api<SyncView & { power: { deferredClasses: string[] } }>('/api/v1/sync')).body;
      assert.deepEqual(saverSync.power.deferredClasses, ['summary', 'rawReading']);
      assert.equal(saverSync.classes.rawReading!.records, DEVICES.length * SAVER_READINGS + 1, 'every raw reading waits in the outbox');
      const hubDuringSaver = (await hub.api<HubCounts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
      assert.equal(hubDuringSaver.records.rawReading ?? 0, 0, 'no raw reading reached the hub in saver');
      assert.equal(hubDuringSaver.records.alert, 1);

      // Critical under load: flush, checkpoint, clean exit.
      const acked = new Map(DEVICES.map((id) => [id, new Set<number>()]));
      const loads = clients.map((c, d) => load(c, DEVICES[d]!, SAVER_READINGS + 1, acked.get(DEVICES[d]!)!));
      await waitFor('load under way', async () => [...acked.values()].every((s) => s.size >= 50), 20_000, 20);
      setPower({ source: 'battery', batteryPercent: 5, charging: false });
      assert.equal(await gw.exited, 0, 'the gateway exits cleanly after the critical flush');
      for (const l of loads) l.stop();
      for (const c of clients.splice(0)) c.end(true);
      const flushed = lines.find((l) => l.event === 'power-critical');
      assert.ok(flushed, 'the critical flush is logged');
      assert.deepEqual(
        { storeFlushed: flushed.storeFlushed, busy: (flushed.checkpoint as { busy: boolean }).busy, error: flushed.error, shutdown: flushed.shutdown },
        { storeFlushed: true, busy: false, error: null, shutdown: 'started' },
      );
      assert.ok(lines.some((l) => l.event === 'power-mode' && l.to === 'critical' && l.simulated === true && l.name === 'outpost-gateway'));
      assert.equal((await hubSees('critical')).powerSimulated, true);

      // Mains again, restart: every acknowledged reading is there, performance, and the backlog drains.
      setPower({ source: 'ac' });
      gw = await startGatewayProcess(gwDir, 30_000, { env });
      lines = collectLines(gw);
      api = processApi(gwDir, gw.httpPort);
      let stored = 0;
      const lost: Record<string, number[]> = {};
      for (const id of DEVICES) {
        const audit = (await api<Audit>(`/api/v1/devices/${id}/audit`)).body;
        stored += audit.stored;
        const gone = [...acked.get(id)!].filter((seq) => audit.maxSeq === null || seq > audit.maxSeq || audit.missing.some(([a, b]) => seq >= a && seq <= b));
        if (gone.length > 0) lost[id] = gone.slice(0, 10);
      }
      assert.deepEqual(lost, {}, 'no acknowledged reading lost through the critical shutdown');
      const totalAcked = [...acked.values()].reduce((n, s) => n + s.size, 0);
      assert.ok(stored >= totalAcked + DEVICES.length * SAVER_READINGS + 1);
      await inMode('performance');
      await hubSees('performance');
      const drained = await waitFor('the deferred raw readings at the hub', async () => {
        const counts = (await hub.api<HubCounts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
        return counts.records.rawReading === stored ? counts : undefined;
      }, 30_000);
      assert.equal(drained.records.alert, 1, 'the alert once, not again');
    } finally {
      for (const c of clients) c.end(true);
      if (gw && gw.child.exitCode === null && gw.child.signalCode === null) {
        gw.child.kill('SIGTERM');
        await gw.exited;
      }
      await hub.stop();
    }
  });
});
