import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from '../src/bench/gateway-process.js';
import type { DeviceCredential } from '../src/load/load-options.js';
import { runDeviceLoad } from '../src/load/run-device-load.js';

const gatewayMain = fileURLToPath(new URL('../../gateway/src/main.ts', import.meta.url));

describe('the gateway driven as a process', { skip: existsSync(gatewayMain) ? false : 'gateway/src/main.ts does not exist yet' }, () => {
  let dataDir: string;
  let credentials: DeviceCredential[];
  let gateway: GatewayHandle | undefined;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outpost-sim-gw-'));
    credentials = await provisionGatewayDevices(['gw-test-1', 'gw-test-2'], { dataDir });
    gateway = await startGateway({ dataDir });
  });
  after(async () => {
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('provisions devices whose credentials publish QoS 1 readings that are all acked', async () => {
    assert.deepEqual(credentials.map((c) => c.id), ['gw-test-1', 'gw-test-2']);
    const report = await runDeviceLoad({ url: gateway!.url, credentials, qos: 1, ratePerDevice: 20, messagesPerDevice: 20, durationMs: 20_000 });
    assert.equal(report.totals.firstConnects, 2);
    assert.equal(report.totals.acked, 40, report.errorSamples.join('; '));
    for (const device of report.devices) assert.equal(device.highestAckedSeq, 19);
  });

  it('counts a wrong secret as a connect error and ends the run early', async () => {
    const wrong = credentials.map((c) => ({ id: c.id, secret: `${c.secret}x` }));
    const report = await runDeviceLoad({ url: gateway!.url, credentials: wrong, durationMs: 20_000 });
    assert.equal(report.totals.firstConnects, 0);
    assert.equal(report.totals.connectErrors, 2);
    assert.equal(report.settings.stopReason, 'every device finished');
  });

  it('says what went wrong when the gateway cannot start', async () => {
    await assert.rejects(startGateway({ dataDir, env: { OUTPOST_GW_LOG_LEVEL: 'nonsense' }, readyTimeoutMs: 30_000 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SIM_ERR_GATEWAY_START');
      assert.match(err.message, /exited .* before it was ready/);
      assert.match(err.message, /stderr:\n.*\S/);
      return true;
    });
  });
});
