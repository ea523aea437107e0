import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { SimError } from '../errors.js';
import { type LatencySummaryMs, median, summarizeLatency } from '../load/load-stats.js';
import { createLatencyHistogram } from '../load/worker-counters.js';
import { MARK_RULE, matchPhaseAlerts, type PhaseAlerts } from './alert-latency-match.js';
import { AlertSubscriber } from './alert-subscriber.js';
import { provisionGatewayDevices, startGateway } from './gateway-process.js';
import { readCpuSeconds } from './process-cpu.js';
import { MarkedPublisher, readingKey } from './marked-publisher.js';
import { BENCH_GATEWAY_ENV } from './run-ingest-bench.js';

export interface AlertBenchOptions {
  devices: number;
  /** Readings per second over all devices. */
  ratePerSec: number;
  seconds: number;
  /** Unmeasured publishing first: JIT, SQLite pages, and the featurizers' warm-up (120 readings a device). */
  warmupSeconds: number;
  markEvery: number;
  rounds: number;
  /** After the last PUBACK, how long to wait for the alerts of marked readings. */
  alertWaitMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const MARKED_VALUE = 140;
const INFLIGHT_PER_DEVICE = 16;
const DRAIN_MS = 10_000;
const RUNTIME_READY_TIMEOUT_MS = 90_000;
/** Secrets at the lowest cost the gateway accepts: provisioning is not what is measured. */
const BENCH_ENV = { ...BENCH_GATEWAY_ENV, OUTPOST_GW_AUTH_SCRYPT_COST: '1024' };

export interface PhaseResult {
  round: number;
  runtime: 'on' | 'off';
  readingsPerSec: number;
  sent: number;
  acked: number;
  skipped: number;
  errors: string[];
  pubackMs: LatencySummaryMs | null;
  /** The machine's 1-minute load average at the end of the phase (it is shared: other work shows here). */
  loadAverage1m: number;
  /** CPU used during the measured seconds, in cores (all threads of each process); the box has 2. */
  cpuCores: { gateway: number | null; runtime: number | null; bench: number };
  /** Runtime on only. */
  alerts?: PhaseAlerts;
}

export interface AlertBenchResult {
  phases: PhaseResult[];
  /** Over all rounds: every matched marked reading's rule-alert latency, and the model alerts'. */
  pooled: { ruleMs: LatencySummaryMs | null; modelMs: LatencySummaryMs | null };
  medians: {
    on: { readingsPerSec: number; pubackP50Ms: number; pubackP99Ms: number; ruleP50Ms: number; ruleP99Ms: number; ruleMaxMs: number };
    off: { readingsPerSec: number; pubackP50Ms: number; pubackP99Ms: number };
  };
  /** Runtime on ÷ off, PUBACK latency: what scoring costs the ingest path. */
  ratios: { pubackP50: number | null; pubackP99: number | null };
  target: { ruleP99Ms: number; met: boolean | null };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for edge-runtime to be ready behind the gateway; returns its pid. */
async function waitForRuntime(httpPort: number, token: string): Promise<number | null> {
  const deadline = Date.now() + RUNTIME_READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/runtime`, { headers: { authorization: `Bearer ${token}` } });
      const v = (await res.json()) as { supervisor?: { pid?: number | null }; feed?: { runtimeConnected?: boolean }; runtime?: { state?: string } | null };
      if (v.feed?.runtimeConnected && v.runtime?.state === 'ready') return v.supervisor?.pid ?? null;
      last = JSON.stringify(v);
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new SimError('SIM_ERR_BENCH', `edge-runtime not ready within ${RUNTIME_READY_TIMEOUT_MS} ms; last /api/v1/runtime: ${last}`);
}

/** alertId → the gateway's `receivedAt`, for every stored alert of these devices. */
async function alertsReceivedAt(httpPort: number, token: string, deviceIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of deviceIds) {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/alerts?device=${encodeURIComponent(id)}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new SimError('SIM_ERR_BENCH', `GET /api/v1/alerts?device=${id}: ${res.status}`);
    for (const a of ((await res.json()) as { alerts: { alertId: string; receivedAt: number }[] }).alerts) out.set(a.alertId, a.receivedAt);
  }
  return out;
}

async function feedSkipped(httpPort: number, token: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/runtime`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { feed: { skipped: number } }).feed.skipped;
}

interface PhaseContext {
  o: AlertBenchOptions;
  template: string;
  scratch: string;
  rulesFile: string;
  credentials: { id: string; secret: string }[];
  pooled: { rule: Histogram; model: Histogram };
}

async function runPhase(ctx: PhaseContext, round: number, runtime: boolean): Promise<PhaseResult> {
  const { o } = ctx;
  const dataDir = join(ctx.scratch, `r${round}-${runtime ? 'on' : 'off'}`);
  await cp(ctx.template, dataDir, { recursive: true });
  // The model cooldown is half the spacing of one device's marked readings: one model alert per marked reading at most.
  const modelCooldownMs = Math.max(1, Math.floor(((o.markEvery * o.devices) / o.ratePerSec) * 500));
  const env = runtime ? { ...BENCH_ENV, OUTPOST_GW_RUNTIME_ENABLED: 'true', OUTPOST_RT_RULES_FILE: ctx.rulesFile, OUTPOST_RT_ALERTS_COOLDOWN_MS: String(modelCooldownMs) } : BENCH_ENV;
  const gateway = await startGateway({ dataDir, env, readyTimeoutMs: 60_000 });
  let subscriber: AlertSubscriber | undefined;
  let publisher: MarkedPublisher | undefined;
  let runtimePid: number | null = null;
  try {
    const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    if (runtime) {
      runtimePid = await waitForRuntime(gateway.httpPort, token);
      const expectedAlerts = Math.ceil((o.ratePerSec * (o.seconds + o.warmupSeconds)) / o.markEvery);
      subscriber = await AlertSubscriber.open(gateway.url, dataDir, { maxAlerts: expectedAlerts * 4 + 10_000 });
    }
    publisher = await MarkedPublisher.connect({ url: gateway.url, credentials: ctx.credentials, ratePerSec: o.ratePerSec, markEvery: o.markEvery, markedValue: MARKED_VALUE, inflightPerDevice: INFLIGHT_PER_DEVICE });
    if (o.warmupSeconds > 0) await publisher.run(o.warmupSeconds * 1000, DRAIN_MS, o.signal);
    const cpuBefore = { gateway: readCpuSeconds(gateway.pid), runtime: runtimePid === null ? null : readCpuSeconds(runtimePid), bench: process.cpuUsage() };
    const spanStart = performance.now();
    const record = await publisher.run(o.seconds * 1000, DRAIN_MS, o.signal);
    const spanSec = (performance.now() - spanStart) / 1000;
    const cores = (before: number | null, after: number | null) => (before === null || after === null ? null : round2((after - before) / spanSec));
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const result: PhaseResult = {
      round,
      runtime: runtime ? 'on' : 'off',
      readingsPerSec: Math.round((record.acked * 1000) / record.elapsedMs),
      sent: record.sent,
      acked: record.acked,
      skipped: record.skipped,
      errors: record.errors,
      pubackMs: summarizeLatency(record.ackLatencyUs),
      loadAverage1m: round2(loadavg()[0] ?? NaN),
      cpuCores: {
        gateway: cores(cpuBefore.gateway, readCpuSeconds(gateway.pid)),
        runtime: runtimePid === null ? null : cores(cpuBefore.runtime, readCpuSeconds(runtimePid)),
        bench: round2((benchCpu.user + benchCpu.system) / 1e6 / spanSec),
      },
    };
    if (subscriber) {
      const want = new Set(record.marked.filter((k) => record.ackAt.has(k)));
      const deadline = Date.now() + o.alertWaitMs;
      const seen = new Set<string>();
      let scanned = 0;
      while (Date.now() < deadline && seen.size < want.size) {
        for (; scanned < subscriber.arrived.length; scanned++) {
          const { alert } = subscriber.arrived[scanned]!;
          const key = readingKey(alert.deviceId, alert.ts);
          if (alert.source === 'rule' && want.has(key)) seen.add(key);
        }
        if (seen.size < want.size) await sleep(100);
      }
      const receivedAt = await alertsReceivedAt(gateway.httpPort, token, ctx.credentials.map((c) => c.id));
      result.alerts = matchPhaseAlerts(record, subscriber.arrived, receivedAt, ctx.pooled);
      result.alerts.feedSkipped = await feedSkipped(gateway.httpPort, token);
    }
    return result;
  } catch (err) {
    o.log(`gateway output before the failure:\n${gateway.output()}`);
    throw err;
  } finally {
    await publisher?.close();
    await subscriber?.close();
    await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function describePhase(r: PhaseResult): string {
  const base = `round ${r.round} runtime ${r.runtime.padEnd(3)} ${String(r.readingsPerSec).padStart(6)} readings/s, PUBACK p50 ${r.pubackMs?.p50} ms p99 ${r.pubackMs?.p99} ms, skipped ${r.skipped}, errors ${r.errors.length}; CPU cores gateway ${r.cpuCores.gateway} runtime ${r.cpuCores.runtime ?? '—'} bench ${r.cpuCores.bench}; load average ${r.loadAverage1m}`;
  if (!r.alerts) return base;
  const a = r.alerts;
  const models = Object.entries(a.model).map(([k, v]) => `${k} ${v.matched} (p50 ${v.latencyMs?.p50} p99 ${v.latencyMs?.p99} ms)`).join(', ');
  const split = `PUBACK → gateway has the alert p50 ${a.split.toGatewayMs?.p50} p99 ${a.split.toGatewayMs?.p99} ms, stored and forwarded p50 ${a.split.storeAndForwardMs?.p50} p99 ${a.split.storeAndForwardMs?.p99} ms`;
  return `${base}\n  rule alerts ${a.rule.matched}/${a.markedAcked} marked: p50 ${a.rule.latencyMs?.p50} ms p99 ${a.rule.latencyMs?.p99} ms max ${a.rule.latencyMs?.max} ms (${split}); model alerts: ${models || 'none'}; feed skipped ${a.feedSkipped}`;
}

/**
 * PUBACK → alert latency end to end: the gateway (runtime on, a threshold rule) takes readings from the bench's
 * devices; every marked reading must come back as a rule alert on `local/v1/alerts`. The peer phase is the same
 * load with the runtime off (PUBACK latency only). Rounds alternate the order of the two phases.
 */
export async function runAlertLatencyBench(o: AlertBenchOptions): Promise<AlertBenchResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'outpost-bench-alerts-'));
  try {
    const template = join(scratch, 'template');
    await mkdir(template);
    const rulesFile = join(scratch, 'rules.json');
    await writeFile(rulesFile, JSON.stringify({ version: 1, rules: [MARK_RULE] }));
    o.log(`provisioning ${o.devices} devices…`);
    const ids = Array.from({ length: o.devices }, (_, i) => `alert-bench-${i}`);
    const credentials = await provisionGatewayDevices(ids, { dataDir: template, env: BENCH_ENV });
    const ctx: PhaseContext = { o, template, scratch, rulesFile, credentials, pooled: { rule: createLatencyHistogram(), model: createLatencyHistogram() } };
    const phases: PhaseResult[] = [];
    for (let round = 1; round <= o.rounds && !o.signal?.aborted; round++) {
      for (const runtime of round % 2 === 1 ? [false, true] : [true, false]) {
        if (o.signal?.aborted) break;
        const r = await runPhase(ctx, round, runtime);
        phases.push(r);
        o.log(describePhase(r));
      }
    }
    const on = phases.filter((p) => p.runtime === 'on');
    const off = phases.filter((p) => p.runtime === 'off');
    const med = (list: PhaseResult[], pick: (p: PhaseResult) => number | null | undefined) => {
      const values = list.map(pick).filter((v): v is number => typeof v === 'number');
      return values.length > 0 ? round2(median(values)) : NaN;
    };
    const medians = {
      on: {
        readingsPerSec: med(on, (p) => p.readingsPerSec),
        pubackP50Ms: med(on, (p) => p.pubackMs?.p50),
        pubackP99Ms: med(on, (p) => p.pubackMs?.p99),
        ruleP50Ms: med(on, (p) => p.alerts?.rule.latencyMs?.p50),
        ruleP99Ms: med(on, (p) => p.alerts?.rule.latencyMs?.p99),
        ruleMaxMs: med(on, (p) => p.alerts?.rule.latencyMs?.max),
      },
      off: { readingsPerSec: med(off, (p) => p.readingsPerSec), pubackP50Ms: med(off, (p) => p.pubackMs?.p50), pubackP99Ms: med(off, (p) => p.pubackMs?.p99) },
    };
    const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round2(a / b) : null);
    const ruleMs = summarizeLatency(ctx.pooled.rule);
    return {
      phases,
      pooled: { ruleMs, modelMs: summarizeLatency(ctx.pooled.model) },
      medians,
      ratios: { pubackP50: ratio(medians.on.pubackP50Ms, medians.off.pubackP50Ms), pubackP99: ratio(medians.on.pubackP99Ms, medians.off.pubackP99Ms) },
      target: { ruleP99Ms: 50, met: ruleMs ? ruleMs.p99 <= 50 : null },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
