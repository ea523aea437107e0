import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { DEVICES, PARTITION_MS, READINGS, assertExactlyOnce, ids, tempDir } from './helpers/sync-faults-common.js';
import { type SyncView, publishReadings, raiseAlerts, sleep } from './helpers/sync-fixture.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { startTestGateway } from './helpers/test-gateway.js';

describe('a flapping link (acceptance 3)', () => {
  it(`a proxy cutting the connection every few hundred ms for ${PARTITION_MS} ms: the drain completes, no loss, no duplicates`, async () => {
    const hubDir = tempDir('outpost-hub-');
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    const proxy = await TcpProxy.start(null);
    const gw = await startTestGateway({
      sync: { hubUrl: `127.0.0.1:${proxy.port}`, enrollmentToken: token, rawReadings: true, backoffBaseMs: 100, backoffMaxMs: 1000, batchMaxRecords: 2000 },
      limits: { deviceMsgsPerSec: 1_000_000, deviceBurst: 1_000_000 },
    });
    try {
      const secrets = await gw.provision(...ids);
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      await publishReadings(url, secrets, READINGS / DEVICES / 2);
      proxy.setTarget(hub.grpcPort);
      proxy.cutRepeatedly(200, 600);
      const started = performance.now();
      // Keep producing while the link flaps: more readings and alerts.
      await Promise.all([publishReadings(url, secrets, READINGS / DEVICES / 2), raiseAlerts(url, gw.gateway.internalSecret, 'flap', 100)]);
      const left = PARTITION_MS - (performance.now() - started);
      if (left > 0) await sleep(left);
      proxy.stopCutting();
      const mid = (await gw.api<SyncView>('/api/v1/sync')).body;
      const { counts } = await assertExactlyOnce(gw.api, hub.api, 100);
      assert.ok(proxy.cuts >= 5, `the link was really cut (${proxy.cuts} times)`);
      process.stdout.write(`# ${proxy.cuts} cuts over ${PARTITION_MS} ms, ${mid.sessions} sessions; acked ${mid.ackedSeq} of ${mid.lastSeq} when cutting stopped; hub skipped ${counts.duplicatesSkipped} duplicates\n`);
    } finally {
      await gw.close();
      await hub.stop();
      await proxy.close();
    }
  });
});
