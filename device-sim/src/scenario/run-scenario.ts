import { performance } from 'node:perf_hooks';
import { SimError } from '../errors.js';
import { TcpProxy } from '../faults/tcp-proxy.js';
import { LoadControl } from '../load/load-control.js';
import { type DeviceCredential, loopbackAddresses, type SecondLine } from '../load/load-options.js';
import type { LoadReport } from '../load/load-stats.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { ANOMALY_TYPES, type AnomalyLabel } from '@outpost/models/signals';
import type { Scenario, ScenarioPhase } from './scenario-schema.js';

export interface ScenarioRunOptions {
  scenario: Scenario;
  /** Broker URL (overrides the scenario's target.url). */
  url: string;
  credentials?: readonly DeviceCredential[];
  workers?: number;
  onSecond?: (line: SecondLine) => void;
  onLabels?: (labels: AnomalyLabel[]) => void;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface PhaseResult {
  index: number;
  type: ScenarioPhase['type'];
  /** Since the start of the run. */
  startedAtMs: number;
  durationMs: number;
  details: Record<string, unknown>;
}

export interface ScenarioResult {
  name: string;
  devices: number;
  phases: PhaseResult[];
  load: LoadReport;
}

const RECONNECT_WAIT_MS = 60_000;
const POLL_MS = 100;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function splitHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  return { host: value.slice(0, i), port: Number(value.slice(i + 1)) };
}

/** Upper bound of a scenario's length, so the load run never ends before the phases do. */
function boundMs(s: Scenario): number {
  let total = 60_000;
  for (const p of s.phases) {
    if ('durationS' in p && p.durationS !== undefined) total += p.durationS * 1000;
    if ('timeoutS' in p) total += p.timeoutS * 1000;
    if (p.type === 'partition') total += RECONNECT_WAIT_MS;
  }
  return total;
}

/**
 * Run a scenario: one continuous device load steered phase by phase (ramps, storms, partitions through
 * loopback proxies, clock skew, anomaly injection, battery drain). Phases run in order; the result holds
 * what each one measured and the load's report.
 */
export async function runScenario(o: ScenarioRunOptions): Promise<ScenarioResult> {
  const s = o.scenario;
  const total = s.phases.reduce((n, p) => n + (p.type === 'ramp' ? p.devices : 0), 0);
  if (o.credentials && o.credentials.length < total) {
    throw new SimError('SIM_ERR_SCENARIO', `the ramps connect ${total} devices but the credentials hold ${o.credentials.length}`);
  }
  const proxies = new Map<string, TcpProxy>();
  const stopLoad = new AbortController();
  const onOuterAbort = () => stopLoad.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    for (const p of s.proxies) {
      const listen = splitHostPort(p.listen);
      const target = splitHostPort(p.target);
      proxies.set(p.name, await new TcpProxy({ listenHost: listen.host, listenPort: listen.port, targetHost: target.host, targetPort: target.port }).start());
      o.log(`proxy ${p.name}: ${p.listen} → ${p.target}`);
    }
    let url = o.url;
    if (s.phases.some((p) => p.type === 'partition' && p.target === 'devices')) {
      const broker = new URL(o.url);
      const proxy = await new TcpProxy({ targetHost: broker.hostname, targetPort: Number(broker.port || 1883) }).start();
      proxies.set('devices', proxy);
      url = proxy.url;
      o.log(`devices connect through a partition proxy on ${url}`);
    }

    let connected = 0;
    const control = new LoadControl();
    const d = s.devices;
    const load = runDeviceLoad({
      url,
      credentials: o.credentials?.slice(0, total),
      count: total,
      idPrefix: d.idPrefix,
      qos: d.qos,
      encoding: d.encoding,
      ratePerDevice: d.ratePerSec,
      durationMs: boundMs(s),
      workers: o.workers,
      localAddresses: d.sourceAddresses > 1 ? loopbackAddresses(d.sourceAddresses) : undefined,
      reconnectPeriodMs: d.reconnectMs,
      signals: { seed: d.seed, profile: d.profile, anomalyRate: d.anomalyRate, timeScale: d.timeScale },
      onLabels: o.onLabels,
      control,
      connectOnStart: false,
      signal: stopLoad.signal,
      onSecond: (line) => {
        connected = line.connected;
        o.onSecond?.(line);
      },
    });
    const loadFailed = load.then(
      () => undefined,
      (err: unknown) => err,
    );
    await Promise.race([control.ready, loadFailed]);
    const t0 = performance.now();
    const waitFor = async (condition: () => boolean, timeoutMs: number): Promise<boolean> => {
      const deadline = performance.now() + timeoutMs;
      while (!condition() && performance.now() < deadline && !stopLoad.signal.aborted) await sleep(POLL_MS, stopLoad.signal);
      return condition();
    };

    const phases: PhaseResult[] = [];
    let rampedTo = 0;
    for (const [index, phase] of s.phases.entries()) {
      if (stopLoad.signal.aborted) break;
      const started = performance.now();
      const n = 'devices' in phase && phase.devices !== undefined && phase.type !== 'ramp' ? Math.min(phase.devices, rampedTo) : rampedTo;
      let details: Record<string, unknown> = {};
      o.log(`phase ${index + 1}/${s.phases.length}: ${phase.type}`);
      switch (phase.type) {
        case 'ramp': {
          const from = rampedTo;
          rampedTo += phase.devices;
          control.connect(from, rampedTo, phase.connectRatePerSec);
          const all = await waitFor(() => connected >= rampedTo, phase.timeoutS * 1000);
          details = { devices: phase.devices, connectRatePerSec: phase.connectRatePerSec, connected, allConnected: all };
          break;
        }
        case 'steady':
          await sleep(phase.durationS * 1000, stopLoad.signal);
          break;
        case 'reconnect-storm': {
          const result = await Promise.race([control.drop(0, n, phase.holdMs), sleep(phase.timeoutS * 1000, stopLoad.signal).then(() => null)]);
          details = result ? { ...result } : { timedOut: true, timeoutS: phase.timeoutS };
          break;
        }
        case 'partition': {
          const proxy = proxies.get(phase.target)!;
          const before = { ...proxy.counts };
          proxy.cut(phase.mode);
          await sleep(phase.durationS * 1000, stopLoad.signal);
          proxy.restore();
          const restoredAt = performance.now();
          const back = phase.target === 'devices' ? await waitFor(() => connected >= rampedTo, RECONNECT_WAIT_MS) : undefined;
          details = {
            target: phase.target,
            mode: phase.mode,
            connectionsDropped: proxy.counts.dropped - before.dropped,
            connectsRefused: proxy.counts.refused - before.refused,
            ...(back === undefined ? {} : { allReconnected: back, reconnectedAfterRestoreMs: back ? Math.round(performance.now() - restoredAt) : null }),
          };
          break;
        }
        case 'clock-skew':
          control.skew(0, n, phase.offsetMs);
          details = { devices: n, offsetMs: phase.offsetMs };
          if (phase.durationS !== undefined) {
            await sleep(phase.durationS * 1000, stopLoad.signal);
            control.skew(0, n, 0);
          }
          break;
        case 'anomalies':
          control.anomalies(0, n, phase.rate, phase.types);
          await sleep(phase.durationS * 1000, stopLoad.signal);
          control.anomalies(0, n, d.anomalyRate, phase.types ? [...ANOMALY_TYPES] : undefined);
          details = { devices: n, rate: phase.rate, types: phase.types ?? 'all' };
          break;
        case 'battery-drain':
          control.battery(0, n, phase.drainMultiplier, phase.charging);
          await sleep(phase.durationS * 1000, stopLoad.signal);
          control.battery(0, n, 1, null);
          details = { devices: n, drainMultiplier: phase.drainMultiplier, charging: phase.charging };
          break;
      }
      const result: PhaseResult = { index, type: phase.type, startedAtMs: Math.round(started - t0), durationMs: Math.round(performance.now() - started), details };
      phases.push(result);
      o.log(`phase ${index + 1} ${phase.type} done in ${result.durationMs} ms ${JSON.stringify(details)}`);
    }
    stopLoad.abort();
    const report = await load;
    return { name: s.name, devices: total, phases, load: report };
  } finally {
    o.signal?.removeEventListener('abort', onOuterAbort);
    stopLoad.abort();
    for (const proxy of proxies.values()) await proxy.close();
  }
}
