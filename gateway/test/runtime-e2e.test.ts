import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { waitFor } from './helpers/sync-fixture.js';
import { connectDevice, startTestGateway } from './helpers/test-gateway.js';

const scratch = mkdtempSync(join(tmpdir(), 'outpost-e2e-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface AlertView {
  alertId: string;
  deviceId: string;
  ts: number;
  kind: string | null;
  metric: string | null;
  source: string | null;
  severity: string;
}
interface RuntimeView {
  supervisor: { state: string; pid: number | null; restarts: number };
  feed: { runtimeConnected: boolean; sent: number };
  runtime: { state: string; detail?: string } | null;
}

function publish(client: MqttClient, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}

/** `count` readings of a steady temperature, then (optionally) one far above the rule's threshold. */
async function sendTemperatures(client: MqttClient, deviceId: string, fromSeq: number, count: number, spikeAt: number | null, t0: number): Promise<number | null> {
  let spikeTs: number | null = null;
  for (let i = 0; i < count; i++) {
    const seq = fromSeq + i;
    const ts = t0 + seq * 1000;
    const temperature = i === spikeAt ? 140 : 21 + Math.sin(seq / 10) * 0.5;
    if (i === spikeAt) spikeTs = ts;
    await publish(client, deviceTopics.telemetry(deviceId), encodeMessage('telemetry', { v: 1, seq, ts, metrics: { temperature } }));
  }
  return spikeTs;
}

describe('edge-runtime behind a real gateway', () => {
  it('scores accepted readings, raises the rule alert for the right device and metric, survives a SIGKILL of the runtime', async () => {
    const rules = join(scratch, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - id: overheat\n    kind: threshold\n    metric: temperature\n    op: ">"\n    value: 100\n    severity: critical\n    cooldownMs: 1000\n');
    // edge-runtime inherits the gateway's environment: that is how an operator gives it a rules file.
    process.env.OUTPOST_RT_RULES_FILE = rules;
    process.env.OUTPOST_RT_STATUS_INTERVAL_MS = '500';
    const gw = await startTestGateway({ runtime: { enabled: true, restartBaseMs: 100, restartMaxMs: 500 }, limits: { deviceMsgsPerSec: 10_000, deviceBurst: 10_000 } });
    delete process.env.OUTPOST_RT_RULES_FILE;
    delete process.env.OUTPOST_RT_STATUS_INTERVAL_MS;
    const alerts = async (device: string) => (await gw.api<{ alerts: AlertView[] }>(`/api/v1/alerts?device=${device}`)).body.alerts;
    try {
      await waitFor('edge-runtime ready and listening', async () => {
        const v = (await gw.api<RuntimeView>('/api/v1/runtime')).body;
        return v.feed.runtimeConnected && v.runtime?.state !== undefined && v.runtime.state !== 'starting' ? v : undefined;
      }, 60_000);
      const secrets = await gw.provision('hot-1', 'calm-1');
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      const [hot, calm] = await Promise.all([connectDevice(url, 'hot-1', secrets['hot-1']!), connectDevice(url, 'calm-1', secrets['calm-1']!)]);
      const t0 = Date.now() - 3_600_000;
      const [spikeTs] = await Promise.all([sendTemperatures(hot, 'hot-1', 0, 60, 50, t0), sendTemperatures(calm, 'calm-1', 0, 60, null, t0)]);
      const first = await waitFor('the overheat alert', async () => (await alerts('hot-1')).find((a) => a.kind === 'overheat'), 30_000);
      assert.deepEqual({ device: first.deviceId, metric: first.metric, source: first.source, severity: first.severity, ts: first.ts }, { device: 'hot-1', metric: 'temperature', source: 'rule', severity: 'critical', ts: spikeTs });
      assert.equal((await alerts('calm-1')).filter((a) => a.source === 'rule').length, 0, 'no rule alert for a device that stayed below the threshold');

      // Kill the runtime: the broker keeps serving, the supervisor restarts it, scoring resumes.
      const pid = gw.gateway.runtime.status().pid;
      assert.ok(pid);
      assert.equal(gw.gateway.runtime.kill('SIGKILL'), true);
      const during = await sendTemperatures(hot, 'hot-1', 60, 20, null, t0);
      assert.equal(during, null);
      await waitFor('a restarted runtime listening', async () => {
        const v = (await gw.api<RuntimeView>('/api/v1/runtime')).body;
        return v.supervisor.pid !== null && v.supervisor.pid !== pid && v.feed.runtimeConnected ? v : undefined;
      }, 60_000);
      const secondSpike = await sendTemperatures(hot, 'hot-1', 80, 10, 5, t0);
      await waitFor('the overheat alert after the restart', async () => (await alerts('hot-1')).find((a) => a.kind === 'overheat' && a.ts === secondSpike), 30_000);
      const audit = (await gw.api<{ stored: number; missing: unknown[] }>('/api/v1/devices/hot-1/audit')).body;
      assert.deepEqual({ stored: audit.stored, missing: audit.missing }, { stored: 90, missing: [] }, 'every reading stored while the runtime was down');
      await Promise.all([hot.endAsync(), calm.endAsync()]);
    } finally {
      await gw.close();
    }
  });
});
