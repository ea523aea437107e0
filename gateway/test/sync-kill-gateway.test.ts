import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliAddDevices, startGatewayProcess } from './helpers/gateway-process.js';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { DEVICES, READINGS, assertExactlyOnce, ids, processApi, syncEnv, tempDir } from './helpers/sync-faults-common.js';
import { type SyncView, publishReadings, raiseAlerts, waitFor } from './helpers/sync-fixture.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

describe('SIGKILL of the gateway mid-drain (acceptance 2)', () => {
  it('SIGKILL of the gateway mid-drain: no loss, no duplicates', async () => {
    const hubDir = tempDir('outpost-hub-');
    const gwDir = tempDir('outpost-gw-');
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    const proxy = await TcpProxy.start(null);
    const env = syncEnv(proxy.port, token);
    let gw: Awaited<ReturnType<typeof startGatewayProcess>> | null = null;
    try {
      const secrets = await cliAddDevices(gwDir, ids);
      gw = await startGatewayProcess(gwDir, 20_000, { env });
      const url = `mqtt://127.0.0.1:${gw.mqttPort}`;
      const internal = readFileSync(join(gwDir, 'internal-secret'), 'utf8').trim();
      await Promise.all([publishReadings(url, secrets, READINGS / DEVICES), raiseAlerts(url, internal, 'before', 100)]);
      let api = processApi(gwDir, gw.httpPort);
      proxy.setTarget(hub.grpcPort);
      const mid = await waitFor(
        'the drain to be under way',
        async () => {
          const v = (await api<SyncView>('/api/v1/sync')).body;
          return v.ackedSeq > 1000 && v.lastSeq - v.ackedSeq + v.classes.rawReading!.records > 1000 ? v : undefined;
        },
        60_000,
        20,
      );
      gw.child.kill('SIGKILL');
      assert.equal(await gw.exited, null);
      gw = await startGatewayProcess(gwDir, 20_000, { env });
      api = processApi(gwDir, gw.httpPort);
      await raiseAlerts(`mqtt://127.0.0.1:${gw.mqttPort}`, internal, 'after', 50);
      const { counts } = await assertExactlyOnce(api, hub.api, 150);
      process.stdout.write(`# gateway SIGKILL at acked seq ${mid.ackedSeq}; hub skipped ${counts.duplicatesSkipped} resent duplicates\n`);
    } finally {
      if (gw && gw.child.exitCode === null && gw.child.signalCode === null) {
        gw.child.kill('SIGTERM');
        await gw.exited;
      }
      await hub.stop();
      await proxy.close();
    }
  });
});
