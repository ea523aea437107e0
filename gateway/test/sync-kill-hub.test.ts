import { describe, it } from 'node:test';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { DEVICES, READINGS, assertExactlyOnce, ids, tempDir } from './helpers/sync-faults-common.js';
import { type SyncView, publishReadings, raiseAlerts, waitFor } from './helpers/sync-fixture.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { startTestGateway } from './helpers/test-gateway.js';

describe('SIGKILL of the hub mid-apply (acceptance 2)', () => {
  it('SIGKILL of the hub mid-apply: no loss, no duplicates', async () => {
    const hubDir = tempDir('outpost-hub-');
    const token = await createEnrollmentToken(hubDir);
    let hub = await startHubProcess(hubDir);
    const proxy = await TcpProxy.start(null);
    const gw = await startTestGateway({
      sync: { hubUrl: `127.0.0.1:${proxy.port}`, enrollmentToken: token, rawReadings: true, backoffBaseMs: 100, backoffMaxMs: 1000, batchMaxRecords: 2000 },
      limits: { deviceMsgsPerSec: 1_000_000, deviceBurst: 1_000_000 },
    });
    try {
      const secrets = await gw.provision(...ids);
      const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
      await Promise.all([publishReadings(url, secrets, READINGS / DEVICES), raiseAlerts(url, gw.gateway.internalSecret, 'before', 100)]);
      proxy.setTarget(hub.grpcPort);
      const mid = await waitFor(
        'the drain to be under way',
        async () => {
          const v = (await gw.api<SyncView>('/api/v1/sync')).body;
          return v.ackedSeq > 1000 && v.lastSeq - v.ackedSeq + v.classes.rawReading!.records > 1000 ? v : undefined;
        },
        60_000,
        20,
      );
      await hub.stop('SIGKILL');
      proxy.setTarget(null);
      await raiseAlerts(url, gw.gateway.internalSecret, 'while-down', 50);
      hub = await startHubProcess(hubDir);
      proxy.setTarget(hub.grpcPort);
      const { counts } = await assertExactlyOnce(gw.api, hub.api, 150);
      process.stdout.write(`# hub SIGKILL at gateway acked seq ${mid.ackedSeq}; hub skipped ${counts.duplicatesSkipped} resent duplicates\n`);
    } finally {
      await gw.close();
      await hub.stop();
      await proxy.close();
    }
  });
});
