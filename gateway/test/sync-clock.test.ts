import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compareHlc } from '@outpost/protocols';
import { type GatewayProcess, cliAddDevices, startGatewayProcess } from './helpers/gateway-process.js';
import { createEnrollmentToken, startHubProcess } from './helpers/hub-process.js';
import { type Api, type SyncView, compareCounts, countsAgree, publishReadings, raiseAlerts } from './helpers/sync-fixture.js';

// libfaketime preloaded into node itself (not the `faketime` wrapper, which would stand between the test
// and the gateway's signals). The MT variant is for multi-threaded programs such as node.
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/** Environment that starts a process with its wall clock at `start` and running; monotonic time stays real. */
function fakeClock(start: string): NodeJS.ProcessEnv {
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME: `@${start}`, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

function processApi(dataDir: string, gw: GatewayProcess): Api {
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  return async <T>(path: string) => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as T };
  };
}

interface HubAlert {
  seq: number;
  hlc: { wallMs: number; logical: number };
  wallTimeTrusted: boolean;
  alert: { alertId: string; ts: number };
}

describe('clock-skew boot (acceptance 5)', { skip: existsSync(LIBFAKETIME) ? false : 'libfaketime is not installed (npm test installs the faketime package)' }, () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'outpost-hub-')), mkdtempSync(join(tmpdir(), 'outpost-gw-'))];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('faketime really moves Date.now() inside Node', () => {
    const script = 'setTimeout(() => process.stdout.write(JSON.stringify([Date.now(), new Date().getUTCFullYear()])), 50)';
    const early = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...fakeClock('1970-01-02 00:00:00') }, encoding: 'utf8' });
    const [now, year] = JSON.parse(early.stdout) as [number, number];
    assert.ok(now >= 86_400_000 && now < 2 * 86_400_000 && year === 1970, `Date.now() under libfaketime: ${early.stdout} ${early.stderr}`);
    const late = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...fakeClock('2038-06-01 00:00:00') }, encoding: 'utf8' });
    assert.equal((JSON.parse(late.stdout) as [number, number])[1], 2038);
  });

  it('a gateway booted in 1970, then 2038, then 1970 again syncs exactly once with increasing sequences and HLCs', async () => {
    const [hubDir, gwDir] = dirs as [string, string];
    const token = await createEnrollmentToken(hubDir);
    const hub = await startHubProcess(hubDir);
    const secrets = await cliAddDevices(gwDir, ['dev-0', 'dev-1']);
    const env = {
      OUTPOST_GW_SYNC_HUB_URL: `127.0.0.1:${hub.grpcPort}`,
      OUTPOST_GW_SYNC_ENROLLMENT_TOKEN: token,
      OUTPOST_GW_SYNC_BACKOFF_BASE_MS: '100',
      OUTPOST_GW_SYNC_BACKOFF_MAX_MS: '1000',
      OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC: '100000',
      OUTPOST_GW_LIMITS_DEVICE_BURST: '100000',
    };
    const views: SyncView[] = [];
    try {
      for (const [i, start] of ['1970-01-01 00:10:00', '2038-06-01 00:00:00', '1970-01-01 00:20:00'].entries()) {
        const gw = await startGatewayProcess(gwDir, 30_000, { env: { ...env, ...fakeClock(start) } });
        try {
          const url = `mqtt://127.0.0.1:${gw.mqttPort}`;
          const internal = readFileSync(join(gwDir, 'internal-secret'), 'utf8').trim();
          await publishReadings(url, secrets, 200);
          await raiseAlerts(url, internal, `boot-${i}`, 20);
          const { view, counts } = await countsAgree(processApi(gwDir, gw), hub.api, 60_000);
          const { gateway, hub: atHub } = compareCounts(view, counts);
          assert.deepEqual(atHub, gateway);
          assert.equal(view.clockTrusted, false, 'the hub flags the clock as untrusted');
          views.push(view);
        } finally {
          gw.child.kill('SIGTERM');
          await gw.exited;
        }
      }
      const gatewayId = views[0]!.gatewayId!;
      const { body } = await hub.api<{ alerts: HubAlert[] }>(`/api/v1/gateways/${gatewayId}/alerts?limit=1000`);
      assert.equal(body.alerts.length, 60);
      assert.deepEqual(
        body.alerts.map((a) => a.seq),
        [...body.alerts.map((a) => a.seq)].sort((a, b) => a - b),
      );
      for (let k = 1; k < body.alerts.length; k++) {
        assert.ok(compareHlc(body.alerts[k - 1]!.hlc, body.alerts[k]!.hlc) < 0, `HLC increases with seq at ${body.alerts[k]!.seq}: ${JSON.stringify(body.alerts.slice(k - 2, k + 2))}`);
      }
      // The 2038 boot stamped its records in 2038; the 1970 boot after it still stamped later ones (the
      // HLC was persisted), which is what keeps the order when wall clocks lie.
      const byBoot = (i: number) => body.alerts.filter((a) => a.alert.alertId.startsWith(`boot-${i}-`));
      assert.ok(byBoot(1).every((a) => a.hlc.wallMs >= Date.UTC(2038, 4, 31)), 'the 2038 boot stamped its records in 2038');
      assert.ok(byBoot(2).every((a) => a.hlc.wallMs >= Date.UTC(2038, 4, 31)), 'the 1970 boot after it continued after them');
      assert.ok(body.alerts.every((a) => !a.wallTimeTrusted), 'stored as untrusted wall time');
      // Sequences continued across the restarts; nothing was sent twice.
      assert.ok(views[0]!.lastSeq < views[1]!.lastSeq && views[1]!.lastSeq < views[2]!.lastSeq);
    } finally {
      await hub.stop();
    }
  });
});
