import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from '../src/bench/gateway-process.js';
import type { DeviceCredential } from '../src/load/load-options.js';
import { runDeviceLoad } from '../src/load/run-device-load.js';

const gatewayMain = fileURLToPath(new URL('../../gateway/src/main.ts', import.meta.url));
const SAMPLES = 120;

describe('simulated devices following their config topic (adaptive reporting)', { skip: existsSync(gatewayMain) ? false : 'gateway/src/main.ts does not exist yet' }, () => {
  let dataDir: string;
  let credentials: DeviceCredential[];
  let gateway: GatewayHandle | undefined;
  let api: <T>(path: string, init?: RequestInit) => Promise<{ status: number; body: T }>;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outpost-sim-adaptive-'));
    credentials = await provisionGatewayDevices(['ad-1', 'ad-2'], { dataDir });
    gateway = await startGateway({ dataDir });
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    api = async <T>(path: string, init: RequestInit = {}) => {
      const res = await fetch(`http://127.0.0.1:${gateway!.httpPort}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
      return { status: res.status, body: (await res.json()) as T };
    };
  });
  after(async () => {
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sample every intervalMs, send only what the predictor cannot predict; the gateway fills in the rest', async () => {
    const policy = { intervalMs: 100, mode: 'adaptive', predictor: 'last-value', tolerance: { temperature: 1.25 }, maxSilenceMs: 2000 };
    for (const { id } of credentials) assert.equal((await api(`/api/v1/devices/${id}/reporting`, { method: 'PUT', body: JSON.stringify(policy) })).status, 200);
    // A rate far below one message per run: before its config arrives a device publishes nothing.
    const report = await runDeviceLoad({
      url: gateway!.url,
      credentials,
      qos: 1,
      ratePerDevice: 0.0001,
      messagesPerDevice: SAMPLES,
      durationMs: 45_000,
      followConfig: true,
      signals: { seed: '7', profile: 'temperature', anomalyRate: 0, timeScale: 1 },
    });
    assert.equal(report.totals.errors, 0, report.errorSamples.join('; '));
    for (const device of report.devices) {
      const a = device.adaptive!;
      assert.equal(a.epochs, 1, `${device.id} applied its config once`);
      assert.equal(a.samples, SAMPLES);
      // A heartbeat at least every 20 samples; with noise well inside the tolerance, little more.
      assert.ok(a.transmissions >= SAMPLES / 20 && a.transmissions < SAMPLES / 2, `${device.id}: ${a.transmissions} of ${SAMPLES} samples sent`);
      assert.equal(device.sent, a.transmissions);
      assert.equal(device.acked, a.transmissions);

      const audit = (await api<{ stored: number; predicted: number; maxSeq: number; missing: unknown[] }>(`/api/v1/devices/${device.id}/audit`)).body;
      assert.equal(audit.stored, a.transmissions, 'the audit counts what the device sent');
      assert.deepEqual(audit.missing, []);
      // Every sample index up to the last transmission is stored: sent, or filled in.
      assert.equal(audit.stored + audit.predicted, audit.maxSeq + 1);
      const view = (await api<{ adaptive: { synced: boolean; filled: number; transmissions: number } }>(`/api/v1/devices/${device.id}/reporting`)).body;
      assert.equal(view.adaptive.synced, true);
      assert.equal(view.adaptive.filled, audit.predicted);
    }
  });
});
