import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceCredential } from '../load/load-options.js';
import { type LatencySummaryMs, median } from '../load/load-stats.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from './gateway-process.js';
import { type MosquittoHandle, startMosquitto } from './mosquitto.js';

export type BenchTargetName = 'gateway' | 'mosquitto';

export interface IngestBenchOptions {
  devices: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  inflightWindow: number;
  encoding: 'json' | 'cbor';
  workers?: number;
  targets: readonly BenchTargetName[];
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface BenchRound {
  round: number;
  target: BenchTargetName;
  /** Median of the round's steady seconds, acked msg/s. */
  msgPerSec: number;
  meanMsgPerSec: number;
  sent: number;
  acked: number;
  errors: number;
  latencyMs: LatencySummaryMs | null;
}

export interface IngestBenchResult {
  rounds: BenchRound[];
  medians: Partial<Record<BenchTargetName, number>>;
  /** gateway median / mosquitto median, when both ran. */
  ratio: number | null;
}

/**
 * The bench measures durable ingest, not the per-device rate limiter or the reconnect-storm guard,
 * so those are opened wide; storage settings keep their defaults (synchronous = full: acked means on disk).
 */
export const BENCH_GATEWAY_ENV: Record<string, string> = {
  OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC: '1000000',
  OUTPOST_GW_LIMITS_DEVICE_BURST: '1000000',
};

interface Target {
  name: BenchTargetName;
  url: string;
}

/** Same generator against each target, alternating A B / B A round by round so drift over time hits both alike. */
export async function runIngestBench(o: IngestBenchOptions): Promise<IngestBenchResult> {
  const ids = Array.from({ length: o.devices }, (_, i) => `bench-${i}`);
  let credentials: DeviceCredential[] | undefined;
  let mosquitto: MosquittoHandle | undefined;
  let gateway: GatewayHandle | undefined;
  let dataDir: string | undefined;
  const targets: Target[] = [];
  try {
    if (o.targets.includes('gateway')) {
      dataDir = await mkdtemp(join(tmpdir(), 'outpost-bench-gateway-'));
      o.log(`provisioning ${o.devices} devices on the gateway (slow secret hashing)…`);
      credentials = await provisionGatewayDevices(ids, { dataDir, env: BENCH_GATEWAY_ENV });
      gateway = await startGateway({ dataDir, env: BENCH_GATEWAY_ENV });
      targets.push({ name: 'gateway', url: gateway.url });
      o.log(`gateway ready on ${gateway.url} (data in ${dataDir})`);
    }
    if (o.targets.includes('mosquitto')) {
      mosquitto = await startMosquitto();
      targets.push({ name: 'mosquitto', url: mosquitto.url });
      o.log(`mosquitto ready on ${mosquitto.url}`);
    }
    // Mosquitto ignores the credentials (anonymous, no password file), so both targets see identical CONNECTs.
    const load = (target: Target, seconds: number) =>
      runDeviceLoad({
        url: target.url,
        credentials,
        count: o.devices,
        idPrefix: 'bench-',
        qos: 1,
        encoding: o.encoding,
        inflightWindow: o.inflightWindow,
        durationMs: seconds * 1000,
        workers: o.workers,
        signal: o.signal,
      });

    for (const target of targets) {
      if (o.warmupSeconds <= 0 || o.signal?.aborted) break;
      const warm = await load(target, o.warmupSeconds);
      o.log(`warm-up ${target.name.padEnd(9)} ${String(warm.msgPerSec.median).padStart(8)} msg/s (not counted)`);
    }
    const rounds: BenchRound[] = [];
    for (let round = 1; round <= o.rounds && !o.signal?.aborted; round++) {
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        if (o.signal?.aborted) break;
        const r = await load(target, o.roundSeconds);
        const result: BenchRound = {
          round,
          target: target.name,
          msgPerSec: r.msgPerSec.median,
          meanMsgPerSec: r.msgPerSec.mean,
          sent: r.totals.sent,
          acked: r.totals.acked,
          errors: r.totals.errors,
          latencyMs: r.latencyMs,
        };
        rounds.push(result);
        const lat = r.latencyMs ? `p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms` : 'no acks';
        o.log(`round ${round} ${target.name.padEnd(9)} ${String(result.msgPerSec).padStart(8)} msg/s  ${lat}  errors ${result.errors}`);
        if (r.totals.errors > 0) o.log(`  errors: ${r.errorSamples.slice(0, 3).join('; ')}`);
      }
    }
    const medians: Partial<Record<BenchTargetName, number>> = {};
    for (const target of targets) medians[target.name] = median(rounds.filter((r) => r.target === target.name).map((r) => r.msgPerSec));
    const ratio = medians.gateway !== undefined && medians.mosquitto ? Math.round((medians.gateway / medians.mosquitto) * 1000) / 1000 : null;
    return { rounds, medians, ratio };
  } catch (err) {
    if (gateway) o.log(`gateway output before the failure:\n${gateway.output()}`);
    throw err;
  } finally {
    await gateway?.stop();
    await mosquitto?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
