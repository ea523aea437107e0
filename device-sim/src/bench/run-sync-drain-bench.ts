import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type HubHandle, createEnrollmentToken, startHub } from '../demo/hub-process.js';
import { SimError } from '../errors.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { AlertRaiser } from './alert-raiser.js';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from './gateway-process.js';
import { BENCH_GATEWAY_ENV } from './run-ingest-bench.js';

export interface SyncDrainOptions {
  records: number;
  devices: number;
  window: number;
  alertIntervalMs: number;
  /** Directory for `--cpu-prof` profiles of both processes during the drain; none when unset. */
  cpuProfDir?: string;
  /** Keep both data directories (about 1 GiB at 1M records) for a look afterwards. */
  keepData: boolean;
  log: (line: string) => void;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SyncDrainResult {
  backlog: { records: number; rawReadings: number; buildSeconds: number; ingestMsgPerSec: number };
  drain: {
    records: number;
    /** From the hub's "ready" line to the last record applied. */
    seconds: number;
    recordsPerSec: number;
    /** From the first applied record to the last: the stream's rate without the gateway's reconnect. */
    steadySeconds: number;
    steadyRecordsPerSec: number;
    batches: number;
  };
  /** Alert publish → the hub's `receivedAt` (stored at apply). */
  alertLatencyMs: LatencyStats | null;
  /** Alert publish → first seen in the hub's alerts API (polled every 50 ms). */
  alertSeenLatencyMs: LatencyStats | null;
  alertsRaised: number;
  alertsMissing: number;
  gateway: { lastSeq: number; ackedSeq: number };
  hub: { appliedSeq: number; records: Record<string, number>; duplicatesSkipped: number; quarantined: number };
  dataDirs: { gateway: string; hub: string };
}

const COUNTS_POLL_MS = 200;
const ALERTS_POLL_MS = 50;
const ALERT_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new SimError('SIM_ERR_BENCH', `GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function latencyStats(values: readonly number[]): LatencyStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), max: Math.round(sorted[sorted.length - 1]!) };
}

interface HubCounts {
  appliedSeq: number;
  duplicatesSkipped: number;
  quarantined: number;
  batches: number;
  records: Record<string, number>;
}
interface GatewaySync {
  lastSeq: number;
  ackedSeq: number;
  enqueued: Record<string, number>;
}
interface HubAlerts {
  alerts: { seq: number; receivedAt: number; alert: { alertId: string } }[];
  next: number | null;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/**
 * Enroll a gateway, stop its hub, pile up a backlog of raw readings, restart the hub on the same address and
 * time the drain while live alerts are raised every `alertIntervalMs`.
 */
export async function runSyncDrainBench(o: SyncDrainOptions): Promise<SyncDrainResult> {
  const gatewayDir = await mkdtemp(join(tmpdir(), 'outpost-bench-sync-gw-'));
  const hubDir = await mkdtemp(join(tmpdir(), 'outpost-bench-sync-hub-'));
  const ports = { grpcPort: await freePort(), httpPort: await freePort() };
  const env = {
    ...BENCH_GATEWAY_ENV,
    OUTPOST_GW_SYNC_HUB_URL: `127.0.0.1:${ports.grpcPort}`,
    OUTPOST_GW_SYNC_RAW_READINGS: 'true',
    // Reconnect soon after the hub is back, so the drain measures the stream, not the backoff.
    OUTPOST_GW_SYNC_BACKOFF_BASE_MS: '100',
    OUTPOST_GW_SYNC_BACKOFF_MAX_MS: '500',
    // A 1M-record backlog plus its summaries must fit the disk budget without compaction.
    OUTPOST_GW_STORE_MAX_BYTES: String(4 * 1024 ** 3),
  };
  let hub: HubHandle | undefined;
  let gateway: GatewayHandle | undefined;
  let raiser: AlertRaiser | undefined;
  try {
    o.log(`data: gateway ${gatewayDir}, hub ${hubDir}`);
    o.log(`provisioning ${o.devices} devices…`);
    const credentials = await provisionGatewayDevices(
      Array.from({ length: o.devices }, (_, i) => `sync-bench-${i}`),
      { dataDir: gatewayDir, env },
    );
    hub = await startHub(hubDir, ports);
    const token = await createEnrollmentToken(hubDir);
    // One directory per process: node writes a profile per thread (the store writer, tsx's loader) into it.
    const nodeArgs = (name: string) => (o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', join(o.cpuProfDir, name)] : []);
    const profArgs = nodeArgs('gateway');
    gateway = await startGateway({ dataDir: gatewayDir, env: { ...env, OUTPOST_GW_SYNC_ENROLLMENT_TOKEN: token }, nodeArgs: profArgs });
    const credentialFile = join(gatewayDir, 'hub-credential');
    for (let i = 0; i < 300 && !existsSync(credentialFile); i++) await sleep(100);
    if (!existsSync(credentialFile)) throw new SimError('SIM_ERR_BENCH', `the gateway did not enroll within 30 s; ${gateway.output()}`);
    const gatewayId = (JSON.parse(readFileSync(credentialFile, 'utf8')) as { gatewayId: string }).gatewayId;
    const gwToken = readFileSync(join(gatewayDir, 'api-token'), 'utf8').trim();
    const hubToken = readFileSync(join(hubDir, 'api-token'), 'utf8').trim();
    const gwSync = () => getJson<GatewaySync>(`http://127.0.0.1:${gateway!.httpPort}/api/v1/sync`, gwToken);
    const hubBefore = await getJson<HubCounts>(`http://127.0.0.1:${hub.httpPort}/api/v1/gateways/${gatewayId}/counts`, hubToken);
    o.log(`gateway ${gatewayId} enrolled; stopping the hub to build the backlog`);
    await hub.stop();
    hub = undefined;

    const perDevice = Math.ceil(o.records / o.devices);
    const buildStart = performance.now();
    let ackedSoFar = 0;
    const load = await runDeviceLoad({
      url: gateway.url,
      credentials,
      qos: 1,
      inflightWindow: o.window,
      messagesPerDevice: perDevice,
      timeLimitMs: 3600_000,
      onSecond: (line) => {
        ackedSoFar += line.acked;
        if (line.second % 5 === 0) o.log(`  backlog t=${line.second}s acked=${ackedSoFar}/${perDevice * o.devices} ${Math.round(line.msgPerSec)} msg/s errors=${line.errors}`);
      },
    });
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const before = await gwSync();
    const backlogRecords = sum(before.enqueued) - before.lastSeq;
    o.log(`backlog: ${load.totals.acked} readings acked in ${buildSeconds.toFixed(1)} s; ${backlogRecords} outbox records waiting`);

    // The drain: hub back on the same ports; alerts raised all along.
    if (o.cpuProfDir) o.log(`cpu profiles go to ${o.cpuProfDir}`);
    raiser = await AlertRaiser.open(gateway.url, gatewayDir, credentials[0]!.id);
    hub = await startHub(hubDir, { ...ports, nodeArgs: nodeArgs('hub') });
    const hubUrl = `http://127.0.0.1:${hub.httpPort}/api/v1/gateways/${gatewayId}`;
    const t0 = performance.now();
    const seen = new Map<string, { receivedAt: number; seenPerf: number; seq: number }>();
    let after = 0;
    let polling = true;
    const alertPoll = (async () => {
      while (polling) {
        const page = await getJson<HubAlerts>(`${hubUrl}/alerts?after=${after}&limit=1000`, hubToken);
        const now = performance.now();
        for (const a of page.alerts) if (!seen.has(a.alert.alertId)) seen.set(a.alert.alertId, { receivedAt: a.receivedAt, seenPerf: now, seq: a.seq });
        if (page.next !== null) after = page.next;
        else await sleep(ALERTS_POLL_MS);
      }
    })();
    // Everything but the live alerts: the backlog, plus summaries of windows that close during the drain.
    const nonAlert = (records: Record<string, number>) => sum(records) - (records.alert ?? 0);
    const target = nonAlert(before.enqueued);
    const alertsBefore = before.enqueued.alert ?? 0;
    let firstApplied: number | null = null;
    let counts: HubCounts | null = null;
    let lastLog = t0;
    while (counts === null) {
      // The gateway's row (one indexed read) while it drains: `counts` also counts every table's rows,
      // tens of ms on the hub's only thread at 1M rows, which would slow what is being measured.
      const { ackedSeq } = await getJson<{ ackedSeq: number }>(hubUrl, hubToken);
      const now = performance.now();
      if (firstApplied === null && ackedSeq > before.lastSeq) {
        // Alerts raised during the drain, not while the gateway is still reconnecting.
        firstApplied = now;
        raiser.start(o.alertIntervalMs);
      }
      let liveAlerts = 0;
      for (const a of seen.values()) if (a.seq <= ackedSeq) liveAlerts++;
      // Seqs are contiguous, so all but the alerts among them are backlog; confirm with the exact counts.
      if (ackedSeq - alertsBefore - liveAlerts >= target) {
        const exact = await getJson<HubCounts>(`${hubUrl}/counts`, hubToken);
        if (nonAlert(exact.records) >= target) counts = exact;
      }
      if (now - lastLog >= 5000) {
        lastLog = now;
        o.log(`  drain t=${((now - t0) / 1000).toFixed(1)}s appliedSeq=${ackedSeq}, backlog records applied ≈ ${ackedSeq - alertsBefore - liveAlerts}/${target}`);
      }
      if (counts === null) await sleep(COUNTS_POLL_MS);
    }
    const tEnd = performance.now();
    raiser.stop();
    const drained = nonAlert(counts.records) - nonAlert(hubBefore.records);
    const deadline = performance.now() + ALERT_WAIT_MS;
    while (seen.size < raiser.raised.length && performance.now() < deadline) await sleep(ALERTS_POLL_MS);
    polling = false;
    await alertPoll;
    const applied: number[] = [];
    const visible: number[] = [];
    for (const r of raiser.raised) {
      const s = seen.get(r.alertId);
      if (!s) continue;
      applied.push(s.receivedAt - r.publishedAtMs);
      visible.push(s.seenPerf - r.publishedAtPerf);
    }
    const seconds = (tEnd - t0) / 1000;
    const steadySeconds = firstApplied === null ? seconds : (tEnd - firstApplied) / 1000;
    const finalCounts = await getJson<HubCounts>(`${hubUrl}/counts`, hubToken);
    const after_ = await gwSync();
    return {
      backlog: { records: backlogRecords, rawReadings: load.totals.acked, buildSeconds: Math.round(buildSeconds * 10) / 10, ingestMsgPerSec: Math.round(load.totals.acked / buildSeconds) },
      drain: {
        records: drained,
        seconds: Math.round(seconds * 100) / 100,
        recordsPerSec: Math.round(drained / seconds),
        steadySeconds: Math.round(steadySeconds * 100) / 100,
        steadyRecordsPerSec: Math.round(drained / steadySeconds),
        batches: counts.batches,
      },
      alertLatencyMs: latencyStats(applied),
      alertSeenLatencyMs: latencyStats(visible),
      alertsRaised: raiser.raised.length,
      alertsMissing: raiser.raised.length - applied.length,
      gateway: { lastSeq: after_.lastSeq, ackedSeq: after_.ackedSeq },
      hub: { appliedSeq: finalCounts.appliedSeq, records: finalCounts.records, duplicatesSkipped: finalCounts.duplicatesSkipped, quarantined: finalCounts.quarantined },
      dataDirs: { gateway: gatewayDir, hub: hubDir },
    };
  } finally {
    await raiser?.close().catch(() => {});
    await gateway?.stop();
    await hub?.stop();
    if (!o.keepData) {
      await rm(gatewayDir, { recursive: true, force: true });
      await rm(hubDir, { recursive: true, force: true });
    }
  }
}
