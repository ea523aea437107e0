import { type LossAuditReport, runLossAudit } from '../audit/loss-audit.js';
import { LoadControl, type DropResult } from '../load/load-control.js';
import { loopbackAddresses } from '../load/load-options.js';
import { median } from '../load/load-stats.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { type BenchTarget, startTarget } from './bench-targets.js';
import { isAlive, readRssKiB } from './process-memory.js';

export interface StormBenchOptions {
  devices: number;
  storms: number;
  holdMs: number;
  ratePerDevice: number;
  connectRatePerSec: number;
  settleSeconds: number;
  stormTimeoutSeconds: number;
  targets: readonly BenchTarget[];
  sourceAddresses: number;
  workers?: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface StormResult {
  target: BenchTarget;
  storms: (DropResult & { afterHoldMs: number | null })[];
  /** Median over the storms of the time from the drop until every device had its CONNACK again. */
  medianAllBackMs: number | null;
  allConnectedBeforeStorms: boolean;
  /** The broker process was still running and (gateway) answered /healthz after the storms. */
  stayedUp: boolean;
  maxRssMiB: number | null;
  sent: number;
  acked: number;
  errors: number;
  errorSamples: string[];
  /** Gateway only: every acked reading stored? */
  lossAudit: LossAuditReport | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthy(apiUrl: string | undefined, pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  if (!apiUrl) return true;
  try {
    return (await fetch(`${apiUrl}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** Connect N devices, then drop them all at once, several times; time until all are back, and audit the gateway. */
export async function runStormBench(o: StormBenchOptions): Promise<StormResult[]> {
  const results: StormResult[] = [];
  for (const name of o.targets) {
    if (o.signal?.aborted) break;
    const target = await startTarget(name, o.devices, o.log);
    try {
      const control = new LoadControl();
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      let connected = 0;
      let maxRss = 0;
      const boundS = o.devices / Math.max(1, o.connectRatePerSec) + 120 + o.storms * (o.stormTimeoutSeconds + o.settleSeconds) + o.settleSeconds;
      const load = runDeviceLoad({
        url: target.url,
        credentials: target.credentials,
        count: o.devices,
        idPrefix: 'bench-',
        qos: 1,
        ratePerDevice: o.ratePerDevice,
        connectRatePerSec: o.connectRatePerSec,
        durationMs: Math.round(boundS * 1000),
        localAddresses: loopbackAddresses(o.sourceAddresses),
        workers: o.workers,
        reconnectPeriodMs: 2_000,
        connectTimeoutMs: 30_000,
        control,
        signal: stop.signal,
        onSecond: (line) => {
          connected = line.connected;
          maxRss = Math.max(maxRss, readRssKiB(target.pid) ?? 0);
          if (line.second % 5 === 0) o.log(`  [${line.second}s] connected ${line.connected} acked ${line.acked} msg/s ${line.msgPerSec} p99 ${line.p99Ms ?? '-'} ms errors ${line.errors}`);
        },
      });
      await control.ready;
      const rampDeadline = Date.now() + (o.devices / Math.max(1, o.connectRatePerSec) + 120) * 1000;
      while (connected < o.devices && Date.now() < rampDeadline && !stop.signal.aborted) await sleep(200);
      const allConnected = connected >= o.devices;
      o.log(`${name}: ${connected}/${o.devices} connected; ${o.storms} storms of ${o.devices} devices, down ${o.holdMs} ms each`);
      await sleep(o.settleSeconds * 1000);
      const storms: StormResult['storms'] = [];
      for (let i = 0; i < o.storms && !stop.signal.aborted; i++) {
        const timeout = sleep(o.stormTimeoutSeconds * 1000).then(() => null);
        const result = await Promise.race([control.drop(0, o.devices, o.holdMs), timeout]);
        const r = result ?? { dropped: o.devices, stillDown: -1, holdMs: o.holdMs, allBackMs: null };
        storms.push({ ...r, afterHoldMs: r.allBackMs === null ? null : r.allBackMs - o.holdMs });
        o.log(`${name}: storm ${i + 1}: ${r.dropped} dropped, ${r.allBackMs === null ? `not all back within ${o.stormTimeoutSeconds} s` : `all back after ${r.allBackMs} ms`}`);
        await sleep(o.settleSeconds * 1000);
      }
      const stayedUp = await healthy(target.apiUrl, target.pid);
      stop.abort();
      const report = await load;
      o.signal?.removeEventListener('abort', onAbort);
      const lossAudit = target.apiUrl && target.apiToken ? await runLossAudit({ apiUrl: target.apiUrl, apiToken: target.apiToken, devices: report.devices, concurrency: 16 }) : null;
      if (lossAudit) o.log(`${name}: loss audit: ${lossAudit.acked} acked, ${lossAudit.missing} missing, ${lossAudit.duplicates} duplicates`);
      const backs = storms.map((s) => s.allBackMs).filter((v): v is number => v !== null);
      results.push({
        target: name,
        storms,
        medianAllBackMs: backs.length === storms.length && backs.length > 0 ? median(backs) : null,
        allConnectedBeforeStorms: allConnected,
        stayedUp,
        maxRssMiB: maxRss > 0 ? Math.round(maxRss / 102.4) / 10 : null,
        sent: report.totals.sent,
        acked: report.totals.acked,
        errors: report.totals.errors,
        errorSamples: report.errorSamples.slice(0, 5),
        lossAudit,
      });
    } finally {
      await target.stop();
    }
  }
  return results;
}
