import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runLossAudit } from '../src/audit/loss-audit.js';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from '../src/bench/gateway-process.js';
import type { DeviceCredential } from '../src/load/load-options.js';
import { runDeviceLoad } from '../src/load/run-device-load.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const gatewayMain = join(REPO_ROOT, 'gateway/src/main.ts');

function runSim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'device-sim/src/main.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the loss audit against a real gateway', { skip: existsSync(gatewayMain) ? false : 'gateway/src/main.ts does not exist yet' }, () => {
  let dataDir: string;
  let credentials: DeviceCredential[];
  let gateway: GatewayHandle | undefined;
  let apiUrl: string;
  let apiToken: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outpost-sim-audit-'));
    credentials = await provisionGatewayDevices(['audit-1', 'audit-2', 'audit-3'], { dataDir });
    gateway = await startGateway({ dataDir });
    apiUrl = `http://127.0.0.1:${gateway.httpPort}`;
    apiToken = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
  });
  after(async () => {
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds every acked reading stored, and reports acked seqs the store lacks', async () => {
    const report = await runDeviceLoad({ url: gateway!.url, credentials: credentials.slice(0, 2), qos: 1, ratePerDevice: 20, messagesPerDevice: 30, durationMs: 20_000, signals: { seed: 1, profile: 'mixed', anomalyRate: 0.1, timeScale: 1 } });
    assert.equal(report.totals.acked, 60, report.errorSamples.join('; '));
    for (const d of report.devices) assert.deepEqual(d.ackedRanges, [[0, 29]]);
    const audit = await runLossAudit({ apiUrl, apiToken, devices: report.devices });
    assert.equal(audit.ok, true);
    assert.equal(audit.devices, 2);
    assert.equal(audit.acked, 60);
    assert.equal(audit.missing, 0);
    assert.equal(audit.duplicates, 0);

    // A run that claims more than the gateway holds: seqs 30..34 were never sent, so they cannot be stored.
    const claimed = report.devices.map((d, i) => (i === 0 ? { ...d, acked: 35, ackedRanges: [[0, 34]] as [number, number][] } : d));
    const lossy = await runLossAudit({ apiUrl, apiToken, devices: claimed });
    assert.equal(lossy.ok, false);
    assert.equal(lossy.missing, 5);
    assert.deepEqual(lossy.lossSamples, [{ id: report.devices[0]!.id, missing: [[30, 34]] }]);
  });

  it('runs from `outpost-sim devices --gateway-api`: summary line, audit in the report, exit 0', async () => {
    const file = join(dataDir, 'creds.json');
    await writeFile(file, JSON.stringify(credentials.slice(2)));
    const { code, stdout, stderr } = await runSim(['devices', '--url', gateway!.url, '--credentials', file, '--rate', '20', '--messages', '15', '--gateway-api', apiUrl, '--api-token', apiToken]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /loss audit: 1 devices, 15 acked, 15 stored, 0 acked but missing, 0 duplicates — OK/);
    const summary = JSON.parse(stdout) as { lossAudit: { ok: boolean; missing: number } };
    assert.equal(summary.lossAudit.ok, true);
  });
});
