import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { type SyncView, countsAgree, hubAlertIds, publishReadings, raiseAlerts, waitFor } from './helpers/sync-fixture.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { connectDevice, startTestGateway, waitForClose } from './helpers/test-gateway.js';

const ALERTS = 4000;

describe('disk budget exhausted while the hub is down (acceptance 4)', () => {
  const hubDir = mkdtempSync(join(tmpdir(), 'outpost-hub-'));
  after(() => rmSync(hubDir, { recursive: true, force: true }));

  it('drops raw readings and compacts state first, never an alert; then refuses raw ingest with E_STORE_FULL; everything kept reaches the hub', async () => {
    const token = await createEnrollmentToken(hubDir);
    const proxy = await TcpProxy.start(null);
    const gw = await startTestGateway({
      sync: { hubUrl: `127.0.0.1:${proxy.port}`, enrollmentToken: token, rawReadings: true, backoffBaseMs: 100, backoffMaxMs: 1000 },
      store: { maxBytes: 1024 * 1024, retentionIntervalMs: 200 },
      limits: { deviceMsgsPerSec: 1_000_000, deviceBurst: 1_000_000 },
    });
    const hub = await startHubProcess(hubDir);
    try {
      const secrets = await gw.provision('dev-0', 'dev-1', 'dev-2');
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      await publishReadings(url, secrets, 2000);
      const device = await connectDevice(url, 'dev-0', secrets['dev-0']!);
      for (let i = 0; i < 200; i++) await device.publishAsync(deviceTopics.state('dev-0'), encodeMessage('state', { v: 1, battery: { percent: i % 100 } }), { qos: 1 });
      await device.endAsync();
      await raiseAlerts(url, gw.gateway.internalSecret, 'budget', ALERTS);

      // Alerts alone are over the budget now: retention has dropped what it may, and the store is full.
      const full = await waitFor(
        'the store to report full',
        async () => {
          const stats = (await gw.api<{ store: { full: boolean; usedBytes: number; maxBytes: number } }>('/api/v1/stats')).body.store;
          return stats.full ? stats : (await gw.gateway.writer.runRetention(), undefined);
        },
        30_000,
      );
      assert.ok(full.usedBytes > full.maxBytes);
      const view = (await gw.api<SyncView>('/api/v1/sync')).body;
      assert.equal(view.classes.alert!.records, ALERTS, 'no alert dropped');
      assert.equal(view.classes.rawReading!.records, 0, 'raw readings went first');
      assert.ok(view.compacted.rawReadingsDropped! > 0);
      assert.equal(view.classes.deviceState!.records, 1, 'device state compacted to the latest');
      assert.ok(view.compacted.deviceStatesCompacted! >= 199);
      const metrics = await (await fetch(`http://127.0.0.1:${gw.addresses.httpPort}/metrics`, { headers: { authorization: `Bearer ${gw.gateway.apiToken.value}` } })).text();
      assert.match(metrics, /outpost_gw_sync_compacted_records\{kind="rawReadingsDropped"\} [1-9]/);
      assert.match(metrics, new RegExp(`outpost_gw_sync_backlog_records\\{class="alert"\\} ${ALERTS}`));

      // A new raw reading is refused with its code (no PUBACK; the connection closes, the device keeps it);
      // alerts are still taken.
      const probe = await connectDevice(url, 'dev-1', secrets['dev-1']!);
      probe.publish(deviceTopics.telemetry('dev-1'), encodeMessage('telemetry', { v: 1, seq: 99_999, metrics: { temp: 1 } }), { qos: 1 }, () => {});
      await waitForClose(probe, 5000);
      probe.end(true);
      const stats = (await gw.api<{ refusals: Record<string, number>; ingest: { storedReadings: number } }>('/api/v1/stats')).body;
      assert.equal(stats.refusals.E_STORE_FULL, 1);
      assert.equal(stats.ingest.storedReadings, 0);
      await raiseAlerts(url, gw.gateway.internalSecret, 'still-taken', 10);

      // The hub comes back: every alert arrives exactly once.
      proxy.setTarget(hub.grpcPort);
      const drained = await countsAgree(gw.api, hub.api, 120_000);
      assert.equal(drained.counts.records.alert, ALERTS + 10);
      const ids = await hubAlertIds(hub.api, drained.view.gatewayId!);
      assert.equal(new Set(ids).size, ALERTS + 10);
      assert.equal(ids.length, ALERTS + 10);
    } finally {
      await gw.close();
      await hub.stop();
      await proxy.close();
    }
  });
});
