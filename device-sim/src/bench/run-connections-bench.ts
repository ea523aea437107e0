import { loopbackAddresses } from '../load/load-options.js';
import { median } from '../load/load-stats.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { type BenchTarget, startTarget } from './bench-targets.js';
import { readRssKiB } from './process-memory.js';

export interface ConnectionsBenchOptions {
  devices: number;
  ratePerDevice: number;
  connectRatePerSec: number;
  holdSeconds: number;
  targets: readonly BenchTarget[];
  sourceAddresses: number;
  workers?: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface ConnectionsResult {
  target: BenchTarget;
  /** Connected during the hold (median of its seconds), its fewest, and the most at any second. */
  connected: number;
  connectedMin: number;
  peakConnected: number;
  allConnected: boolean;
  rampSeconds: number | null;
  baselineRssMiB: number | null;
  /** Highest RSS of the broker process during the hold. */
  holdRssMiB: number | null;
  perConnectionKiB: number | null;
  /** publish→PUBACK over the hold seconds: median and worst of the per-second p99s. */
  holdP99Ms: { median: number | null; max: number | null };
  /** publish→PUBACK over the whole run (ramp included). */
  runLatencyMs: { p50: number; p99: number; max: number } | null;
  holdMsgPerSec: number | null;
  sent: number;
  acked: number;
  errors: number;
  errorSamples: string[];
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** N devices publishing slowly (QoS 1), held connected, against each target in turn: connections, memory, latency. */
export async function runConnectionsBench(o: ConnectionsBenchOptions): Promise<ConnectionsResult[]> {
  const results: ConnectionsResult[] = [];
  for (const name of o.targets) {
    if (o.signal?.aborted) break;
    const target = await startTarget(name, o.devices, o.log);
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      const baseline = readRssKiB(target.pid);
      o.log(`${name}: up on ${target.url}, RSS ${baseline === null ? '?' : round(baseline / 1024)} MiB; connecting ${o.devices} devices at ${o.connectRatePerSec}/s`);
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      let holdStart: number | null = null;
      const hold: { rssKiB: number | null; p99: number | null; msgPerSec: number; connected: number }[] = [];
      const rampBoundS = o.devices / Math.max(1, o.connectRatePerSec) + 120;
      const report = await runDeviceLoad({
        url: target.url,
        credentials: target.credentials,
        count: o.devices,
        idPrefix: 'bench-',
        qos: 1,
        ratePerDevice: o.ratePerDevice,
        connectRatePerSec: o.connectRatePerSec,
        durationMs: Math.round((rampBoundS + o.holdSeconds + 5) * 1000),
        localAddresses: loopbackAddresses(o.sourceAddresses),
        workers: o.workers,
        reconnectPeriodMs: 2_000,
        connectTimeoutMs: 30_000,
        signal: stop.signal,
        onSecond: (line) => {
          const rss = readRssKiB(target.pid);
          if (holdStart === null && line.connected >= o.devices) {
            holdStart = line.second;
            o.log(`${name}: all ${o.devices} connected after ${line.second} s; holding ${o.holdSeconds} s`);
          }
          if (holdStart !== null && line.second > holdStart && !stop.signal.aborted) {
            hold.push({ rssKiB: rss, p99: line.p99Ms, msgPerSec: line.msgPerSec, connected: line.connected });
            if (hold.length >= o.holdSeconds) stop.abort();
          }
          if (line.second % 10 === 0) o.log(`  [${line.second}s] connected ${line.connected} acked ${line.acked} msg/s ${line.msgPerSec} p99 ${line.p99Ms ?? '-'} ms  ${name} RSS ${rss === null ? '?' : round(rss / 1024)} MiB`);
        },
      });
      o.signal?.removeEventListener('abort', onAbort);
      const rssValues = hold.map((h) => h.rssKiB).filter((v): v is number => v !== null);
      const holdRss = rssValues.length > 0 ? Math.max(...rssValues) : null;
      // Median over the hold: one second's gauge can be caught mid-update by a slow worker snapshot.
      const connected = hold.length > 0 ? median(hold.map((h) => h.connected)) : 0;
      const p99s = hold.map((h) => h.p99).filter((v): v is number => v !== null);
      results.push({
        target: name,
        connected,
        connectedMin: hold.length > 0 ? Math.min(...hold.map((h) => h.connected)) : 0,
        peakConnected: report.totals.peakConnected,
        allConnected: holdStart !== null,
        rampSeconds: holdStart,
        baselineRssMiB: baseline === null ? null : round(baseline / 1024),
        holdRssMiB: holdRss === null ? null : round(holdRss / 1024),
        perConnectionKiB: holdRss !== null && baseline !== null && connected > 0 ? round((holdRss - baseline) / connected, 2) : null,
        holdP99Ms: { median: p99s.length > 0 ? median(p99s) : null, max: p99s.length > 0 ? Math.max(...p99s) : null },
        runLatencyMs: report.latencyMs ? { p50: report.latencyMs.p50, p99: report.latencyMs.p99, max: report.latencyMs.max } : null,
        holdMsgPerSec: hold.length > 0 ? median(hold.map((h) => h.msgPerSec)) : null,
        sent: report.totals.sent,
        acked: report.totals.acked,
        errors: report.totals.errors,
        errorSamples: report.errorSamples.slice(0, 5),
      });
      const r = results.at(-1)!;
      o.log(`${name}: connected ${r.connected}/${o.devices}, RSS ${r.baselineRssMiB} → ${r.holdRssMiB} MiB (${r.perConnectionKiB} KiB/connection), hold p99 median ${r.holdP99Ms.median} ms, errors ${r.errors}`);
    } finally {
      await target.stop();
    }
  }
  return results;
}
