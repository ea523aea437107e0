// Sync pacing by power mode, against a hub process: in saver, after a round, a device event waits for the
// next round while an alert raised meanwhile goes at once; back in performance the event goes too.
// A stand-in for edge-runtime publishes the power reports (power-scenario.test.ts has the real runtime).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceTopics, encodeMessage, localTopics } from '@outpost/protocols';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { tempDir } from './helpers/sync-faults-common.js';
import { type HubCounts, type SyncView, connectInternal, raiseAlerts, waitFor } from './helpers/sync-fixture.js';
import { connectDevice, startTestGateway } from './helpers/test-gateway.js';

describe('sync pacing by power mode', () => {
  it('saver: between rounds only alerts go; performance sends what waited', async () => {
    const hubDir = tempDir('outpost-hub-');
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    // One round as the mode turns saver, then none for an hour: anything but an alert must wait.
    const gw = await startTestGateway({
      sync: { hubUrl: `127.0.0.1:${hub.grpcPort}`, enrollmentToken: token, backoffBaseMs: 100, backoffMaxMs: 1000 },
      power: { saverSyncIntervalMs: 3_600_000 },
    });
    const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
    const runtime = await connectInternal(url, gw.gateway.internalSecret, 'power-stand-in');
    try {
      const sync = async () => (await gw.api<SyncView>('/api/v1/sync')).body;
      const gatewayId = (await waitFor('streaming', async () => ((await sync()).state === 'streaming' ? sync() : undefined), 30_000)).gatewayId!;
      const hubCounts = async () => (await hub.api<HubCounts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
      const hubPower = async () => (await hub.api<{ powerMode: string | null; powerSimulated: boolean | null }>(`/api/v1/gateways/${gatewayId}`)).body;
      const setMode = (mode: 'saver' | 'performance') =>
        runtime.publishAsync(localTopics.powerMode(), encodeMessage('localPowerMode', { v: 1, ts: Date.now(), mode, simulated: true }), { qos: 1, retain: true });

      await setMode('saver');
      await waitFor('the hub to show saver', async () => ((await hubPower()).powerMode === 'saver' ? true : undefined), 20_000);
      // The round that was open when saver began ends once nothing eligible is left: wait for an idle outbox.
      await waitFor('the first round to end', async () => {
        const v = await sync();
        return v.unacked === 0 && v.ackedSeq === v.lastSeq ? v : undefined;
      }, 20_000);

      const secrets = await gw.provision('door-1');
      const device = await connectDevice(url, 'door-1', secrets['door-1']!);
      await device.publishAsync(deviceTopics.events('door-1'), encodeMessage('event', { v: 1, seq: 1, ts: Date.now(), type: 'opened', severity: 'info' }), { qos: 1 });
      await device.endAsync();
      await raiseAlerts(url, gw.gateway.internalSecret, 'saver', 1, 'door-1');
      await waitFor('the alert at the hub', async () => ((await hubCounts()).records.alert === 1 ? true : undefined), 20_000);
      const waiting = await sync();
      assert.equal(waiting.classes.event!.records, 1, 'the event waits for the next round');
      assert.equal((await hubCounts()).records.event ?? 0, 0);

      await setMode('performance');
      await waitFor('the event at the hub', async () => ((await hubCounts()).records.event === 1 ? true : undefined), 20_000);
      assert.equal((await hubPower()).powerMode, 'performance');
    } finally {
      await runtime.endAsync();
      await gw.close();
      await hub.stop();
    }
  });
});
