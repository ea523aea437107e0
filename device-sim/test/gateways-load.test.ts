import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DATA_CLASS_NAMES, type DataClass } from '@outpost/protocols';
import { type HubHandle, startHub } from '../src/demo/hub-process.js';
import { TcpProxy } from '../src/faults/tcp-proxy.js';
import { type GatewayLoadReport, type HubApi, runGatewayLoad, SimError } from '../src/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GATEWAYS = 20;
/** Every data class, so the audit covers each table the hub applies to. */
const MIX = { alert: 2, audit: 1, usage: 1, commandResult: 1, deviceState: 5, event: 2, summary: 20, rawReading: 68 };

interface Counts {
  appliedSeq: number;
  quarantined: number;
  records: Record<DataClass, number>;
}

async function hubApi(api: HubApi, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** Independent of the audit: the hub's counts of every gateway must be exactly what the run says was acked. */
async function assertHubHoldsWhatWasAcked(api: HubApi, report: GatewayLoadReport, before = new Map<string, Counts>()): Promise<void> {
  for (const g of report.gateways) {
    const now = (await hubApi(api, 'GET', `/api/v1/gateways/${g.gatewayId}/counts`)) as Counts;
    const base = before.get(g.gatewayId);
    assert.equal(now.appliedSeq, g.ackedSeq, `${g.name}: appliedSeq`);
    assert.equal(g.lastSeq, g.ackedSeq, `${g.name}: everything sent was acked`);
    assert.equal(now.quarantined, 0, `${g.name}: quarantined`);
    for (const c of DATA_CLASS_NAMES) assert.equal(now.records[c] - (base?.records[c] ?? 0), g.ackedByClass[c], `${g.name}: ${c} records`);
    const sent = DATA_CLASS_NAMES.reduce((n, c) => n + g.ackedByClass[c], 0);
    assert.equal(sent, g.ackedSeq - g.baseSeq, `${g.name}: one record per seq`);
  }
}

function assertClean(report: GatewayLoadReport): void {
  const why = JSON.stringify({ totals: report.totals, errors: report.errorSamples, stopped: report.gateways.filter((g) => g.state !== 'closed') });
  assert.ok(report.audit, 'audited');
  assert.equal(report.audit.ok, true, JSON.stringify(report.audit.failures.slice(0, 3)));
  assert.equal(report.audit.missing, 0);
  assert.equal(report.audit.duplicates, 0);
  assert.equal(report.audit.gateways, GATEWAYS);
  assert.equal(report.totals.gatewaysConnected, GATEWAYS, why);
  assert.ok(report.totals.acked > 0);
  assert.equal(report.totals.acked, report.totals.sent, `the drain delivered every record: ${why}`);
  assert.equal(report.totals.unackedAtClose, 0, why);
}

describe('outpost-sim gateways against a real hub', () => {
  let dir: string;
  let hub: HubHandle;
  let api: HubApi;
  let hubAddress: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-gateways-'));
    hub = await startHub(join(dir, 'hub'));
    api = { url: `http://127.0.0.1:${hub.httpPort}`, token: readFileSync(join(dir, 'hub', 'api-token'), 'utf8').trim() };
    hubAddress = `127.0.0.1:${hub.grpcPort}`;
  });
  after(async () => {
    await hub?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('enrolls 20 gateways through the hub API, streams, and the audit is exact; a second run reuses the credentials', async () => {
    const credentialsFile = join(dir, 'gateways.json');
    const lines: unknown[] = [];
    const first = await runGatewayLoad({
      hub: hubAddress, count: GATEWAYS, hubApi: api, credentialsFile, mix: MIX,
      ratePerGateway: 40, batchRecords: 20, flushIntervalMs: 200, durationMs: 3_000, onSecond: (l) => lines.push(l),
    });
    assert.deepEqual([first.enrollment.enrolled, first.enrollment.reused, first.enrollment.tokensCreated], [GATEWAYS, 0, GATEWAYS]);
    assertClean(first);
    assert.ok(lines.length >= 3, 'a line per second');
    await assertHubHoldsWhatWasAcked(api, first);
    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { gatewayId: string }[];
    assert.deepEqual(saved.map((s) => s.gatewayId).sort(), first.gateways.map((g) => g.gatewayId).sort());

    // Downlink waiting for the next connect: a command and a desired state for the first gateway's device.
    const gw0 = saved[0]!.gatewayId;
    const command = (await hubApi(api, 'POST', `/api/v1/gateways/${gw0}/devices/sim0-d1/commands`, { name: 'reboot', args: { delayS: 1 } })) as { commandId: string };
    await hubApi(api, 'PUT', `/api/v1/gateways/${gw0}/devices/sim0-d1/shadow/desired`, { reporting: { intervalMs: 5000 } });

    const before = new Map(first.gateways.map((g) => [g.gatewayId, { appliedSeq: g.ackedSeq, quarantined: 0, records: g.ackedByClass }]));
    const second = await runGatewayLoad({ hub: hubAddress, hubApi: api, credentialsFile, mix: MIX, ratePerGateway: 100, batchRecords: 50, flushIntervalMs: 200, durationMs: 2_500 });
    assert.deepEqual([second.enrollment.enrolled, second.enrollment.reused], [0, GATEWAYS]);
    assertClean(second);
    assert.deepEqual([second.totals.commands, second.totals.desiredStates], [1, 1]);
    const answered = (await hubApi(api, 'GET', `/api/v1/gateways/${gw0}/devices/sim0-d1/commands/${command.commandId}`)) as { status: string };
    assert.equal(answered.status, 'ok', 'the gateway reported the command done');
    for (const g of second.gateways) assert.equal(g.baseSeq, first.gateways.find((f) => f.gatewayId === g.gatewayId)!.ackedSeq, `${g.name} resumes after its acked seq`);
    await assertHubHoldsWhatWasAcked(api, second, before);
  });

  it('loses nothing and duplicates nothing when every stream is cut twice mid-run', async () => {
    const proxy = await new TcpProxy({ targetHost: '127.0.0.1', targetPort: hub.grpcPort }).start();
    const timers: NodeJS.Timeout[] = [];
    const cut = (atMs: number) => {
      timers.push(setTimeout(() => proxy.cut('drop'), atMs));
      timers.push(setTimeout(() => proxy.restore(), atMs + 700));
    };
    try {
      cut(1_500);
      cut(3_500);
      const report = await runGatewayLoad({
        hub: `127.0.0.1:${proxy.port}`, count: GATEWAYS, hubApi: api, mix: MIX, namePrefix: 'cut-',
        ratePerGateway: 0, batchRecords: 50, inFlightBatches: 4, connectRatePerSec: 0, durationMs: 6_000,
        // Failed reconnects during the cuts grow a gateway's backoff (reset only by an ack) up to 30 s: the
        // drain outlasts one full backoff, so a gateway whose last acks were cut still reconnects and is confirmed.
        drainTimeoutMs: 45_000,
      });
      assert.ok(proxy.counts.dropped >= GATEWAYS, `connections dropped: ${proxy.counts.dropped}`);
      assert.ok(report.totals.streamAttempts > GATEWAYS, 'the gateways reconnected');
      // Batches in flight at a cut were either lost (sent again) or applied with their acks lost (confirmed by the next Welcome).
      assert.ok(report.totals.resent + report.totals.ackedOnWelcome > 0, 'the cuts caught batches in flight');
      assertClean(report);
      await assertHubHoldsWhatWasAcked(api, report);
    } finally {
      timers.forEach(clearTimeout);
      await proxy.close();
    }
  });

  it('enrolls with a given token once; a used token stops with SIM_ERR_ENROLL_TOKEN, a closed port with SIM_ERR_HUB_UNREACHABLE', async () => {
    const { token } = (await hubApi(api, 'POST', '/api/v1/enrollment-tokens', {})) as { token: string };
    const once = await runGatewayLoad({ hub: hubAddress, count: 1, tokens: [token], audit: false, durationMs: 1_000, namePrefix: 'tok-' });
    assert.deepEqual([once.enrollment.enrolled, once.enrollment.tokensCreated, once.totals.gatewaysConnected], [1, 0, 1]);
    await assert.rejects(
      runGatewayLoad({ hub: hubAddress, count: 1, tokens: [token], audit: false, durationMs: 1_000 }),
      (err: unknown) => err instanceof SimError && err.code === 'SIM_ERR_ENROLL_TOKEN' && /already used/.test(err.message),
    );
    const closed = await new TcpProxy({ targetHost: '127.0.0.1', targetPort: hub.grpcPort }).start();
    const port = closed.port;
    await closed.close();
    await assert.rejects(
      runGatewayLoad({ hub: `127.0.0.1:${port}`, count: 1, tokens: ['t'], audit: false, durationMs: 1_000 }),
      (err: unknown) => err instanceof SimError && err.code === 'SIM_ERR_HUB_UNREACHABLE',
    );
  });

  it('the CLI exits 2 on a bad flag, naming it', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'device-sim/src/main.ts', 'gateways', '--count', '2', '--mix', 'alert=1,bogus=2'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2, stderr);
    assert.match(stderr, /--mix .*unknown data class "bogus"/);
  });
});
