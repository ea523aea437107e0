import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { type SyncView, compareCounts, countsAgree, hubAlertIds, hubSummaryCount, publishReadings, raiseAlerts } from './helpers/sync-fixture.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { connectDevice, startTestGateway } from './helpers/test-gateway.js';

const DEVICES = 10;
const READINGS = Number(process.env.OUTPOST_SYNC_OUTAGE_READINGS ?? 100_000);
const ALERTS = 300;

describe('hub down while the gateway works, then up (acceptance 1)', () => {
  const hubDir = mkdtempSync(join(tmpdir(), 'outpost-hub-'));
  const gwDir = mkdtempSync(join(tmpdir(), 'outpost-gw-'));
  after(() => {
    rmSync(hubDir, { recursive: true, force: true });
    rmSync(gwDir, { recursive: true, force: true });
  });

  it(`every summary and alert arrives exactly once after ${READINGS} readings and ${ALERTS} alerts were taken with the hub down`, async () => {
    const token = await createEnrollmentToken(hubDir);
    const proxy = await TcpProxy.start(null); // the hub is down: connections are refused
    const config = {
      sync: { hubUrl: `127.0.0.1:${proxy.port}`, enrollmentToken: token, backoffBaseMs: 100, backoffMaxMs: 2000 },
      limits: { deviceMsgsPerSec: 1_000_000, deviceBurst: 1_000_000 },
    };
    let gw = await startTestGateway(config, gwDir);
    const ids = Array.from({ length: DEVICES }, (_, i) => `dev-${i}`);
    const secrets = await gw.provision(...ids);
    const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;

    const ingestStarted = performance.now();
    const [acked] = await Promise.all([
      publishReadings(url, secrets, READINGS / DEVICES),
      raiseAlerts(url, gw.gateway.internalSecret, 'outage', ALERTS),
    ]);
    const ingestMs = performance.now() - ingestStarted;
    // The same alerts again (edge-runtime republishing after a restart): stored and sent once.
    await raiseAlerts(url, gw.gateway.internalSecret, 'outage', 10);
    // State, an event and a command result: they go to the outbox in the same transaction as their rows.
    const device = await connectDevice(url, 'dev-1', secrets['dev-1']!);
    await device.publishAsync(deviceTopics.state('dev-1'), encodeMessage('state', { v: 1, battery: { percent: 50 } }), { qos: 1 });
    await device.publishAsync(deviceTopics.state('dev-1'), encodeMessage('state', { v: 1, battery: { percent: 49 } }), { qos: 1 });
    await device.publishAsync(deviceTopics.events('dev-1'), encodeMessage('event', { v: 1, type: 'door-open', severity: 'warning' }), { qos: 1 });
    await device.endAsync();
    assert.equal(acked, READINGS);

    const offline = (await gw.api<SyncView>('/api/v1/sync')).body;
    assert.notEqual(offline.state, 'streaming');
    assert.ok(offline.lastError, 'the failed connection attempts are reported');
    assert.equal(offline.classes.alert!.records, ALERTS);

    // Restart the gateway before the hub comes back: open windows are sent as partial summaries and
    // reopened, so every reading is in a summary without waiting for the minute to end.
    await gw.close({ keepData: true });
    gw = await startTestGateway(config, gwDir);
    const hub = await startHubProcess(hubDir);
    try {
      const drainStarted = performance.now();
      proxy.setTarget(hub.grpcPort);
      const { view, counts } = await countsAgree(gw.api, hub.api, 180_000);
      const drainMs = performance.now() - drainStarted;
      const { gateway, hub: atHub } = compareCounts(view, counts);
      assert.deepEqual(atHub, gateway, 'records applied at the hub = records sent by the gateway, per class');
      assert.equal(counts.records.alert, ALERTS);
      assert.equal(counts.quarantined, 0);

      const alertIds = await hubAlertIds(hub.api, view.gatewayId!);
      assert.equal(alertIds.length, ALERTS, 'no alert twice');
      assert.equal(new Set(alertIds).size, ALERTS, 'every alert once');
      for (const id of ids) {
        for (const metric of ['temp', 'load']) assert.equal(await hubSummaryCount(hub.api, view.gatewayId!, id, metric), READINGS / DEVICES, `summaries of ${id}/${metric} cover every reading`);
      }
      const shadow = await hub.api<{ reported?: { battery?: { percent: number } } }>(`/api/v1/gateways/${view.gatewayId}/devices/dev-1/shadow`);
      process.stdout.write(
        `# outage: ${READINGS} readings + ${ALERTS} alerts ingested in ${Math.round(ingestMs)} ms; ${view.lastSeq} records drained in ${Math.round(drainMs)} ms; hub counts ${JSON.stringify(counts.records)}; shadow ${JSON.stringify(shadow.body).slice(0, 200)}\n`,
      );
    } finally {
      await gw.close();
      await hub.stop();
      await proxy.close();
    }
  });
});
