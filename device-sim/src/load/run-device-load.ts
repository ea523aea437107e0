import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { SimError } from '../errors.js';
import { type DeviceLoadOptions, type ResolvedLoadOptions, resolveLoadOptions } from './load-options.js';
import { type LoadReport, LoadStats } from './load-stats.js';
import { checkFdLimit, checkPortRange } from './resource-limits.js';
import { spawnModuleWorker } from './spawn-worker.js';
import type { DeviceResult, DeviceSpec, FromWorker, ToWorker, WorkerInit, WorkerSettings } from './worker-protocol.js';

const WORKER_BOOT_TIMEOUT_MS = 30_000;
const SNAPSHOT_WAIT_MS = 300;
const START_DELAY_MS = 20;
/** Slack past drain + close before a worker that has not reported is terminated. */
const STOP_GRACE_MS = 5_000;

interface WorkerHandle {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<void>;
  exited: Promise<void>;
  finished: boolean;
  idle: boolean;
}

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  return { promise, cancel: () => clearTimeout(timer) };
}

async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const d = delay(ms);
  const ok = await Promise.race([promise.then(() => true), d.promise.then(() => false)]);
  d.cancel();
  return ok;
}

function partition(o: ResolvedLoadOptions): DeviceSpec[][] {
  const shares: DeviceSpec[][] = Array.from({ length: o.workers }, () => []);
  for (let index = 0; index < o.count; index++) {
    const credential = o.credentials?.[index];
    const localAddress = o.localAddresses.length > 0 ? o.localAddresses[index % o.localAddresses.length] : undefined;
    shares[index % o.workers]?.push({ index, id: credential?.id ?? `${o.idPrefix}${index}`, secret: credential?.secret, localAddress });
  }
  return shares;
}

function settingsOf(o: ResolvedLoadOptions): WorkerSettings {
  const { url, qos, encoding, ratePerDevice, inflightWindow, messagesPerDevice, connectRatePerSec } = o;
  const { keepaliveSec, connectTimeoutMs, reconnectPeriodMs, drainTimeoutMs, closeTimeoutMs, signals, followConfig } = o;
  return { url, qos, encoding, ratePerDevice, inflightWindow, messagesPerDevice, connectRatePerSec, keepaliveSec, connectTimeoutMs, reconnectPeriodMs, drainTimeoutMs, closeTimeoutMs, signal: signals, followConfig };
}

/**
 * Connect N MQTT devices over worker threads and publish telemetry until the duration or the message count
 * is reached; returns the final report. Bounded in time: a broker that stops answering costs at most the
 * drain and close timeouts after the stop.
 */
export async function runDeviceLoad(input: DeviceLoadOptions): Promise<LoadReport> {
  const o = resolveLoadOptions(input);
  checkFdLimit(o.count);
  checkPortRange(o.count, o.localAddresses.length);
  const settings = settingsOf(o);
  const stats = new LoadStats(o.qos);
  const results: DeviceResult[][] = [];
  const errorSamples = new Set<string>();
  let unackedAtClose = 0;
  let failure: unknown;
  let stopReason: string | undefined;
  let requestStop: (reason: string) => void = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    requestStop = (reason) => {
      stopReason ??= reason;
      resolve();
    };
  });
  let snapshotsAwaited = 0;
  let snapshotsArrived: () => void = () => {};

  const handles: WorkerHandle[] = partition(o).map((devices, w) => {
    const worker = spawnModuleWorker('device-worker', { devices, settings } satisfies WorkerInit);
    let onReady = () => {};
    let onDone = () => {};
    const handle: WorkerHandle = {
      worker,
      ready: new Promise<void>((r) => (onReady = r)),
      done: new Promise<void>((r) => (onDone = r)),
      exited: new Promise<void>((r) => worker.once('exit', () => r())),
      finished: false,
      idle: false,
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'snapshot') {
        stats.add(w, m.stats);
        if (--snapshotsAwaited === 0) snapshotsArrived();
      } else if (m.type === 'labels') o.onLabels?.(m.labels);
      else if (m.type === 'recovered') o.control?.recovered(m.id, m);
      else if (m.type === 'idle') {
        handle.idle = true;
        if (handles.every((h) => h.idle)) requestStop('every device finished');
      } else if (m.type === 'done') {
        stats.add(w, m.stats);
        results[w] = m.devices;
        unackedAtClose += m.unackedAtClose;
        m.errorSamples.forEach((s) => errorSamples.add(s));
        handle.finished = true;
        onDone();
      }
    });
    worker.on('error', (err) => {
      failure ??= err;
      requestStop('a worker failed');
    });
    void handle.exited.then(() => {
      if (!handle.finished) {
        failure ??= new Error('worker exited before reporting');
        onDone();
        requestStop('a worker exited');
      }
    });
    return handle;
  });
  const post = (h: WorkerHandle, message: ToWorker) => {
    if (!h.finished) h.worker.postMessage(message);
  };
  const onAbort = () => requestStop('aborted');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  const booted = await within(Promise.race([Promise.all(handles.map((h) => h.ready)), stopRequested]), WORKER_BOOT_TIMEOUT_MS);
  if (!booted) {
    failure ??= new Error(`workers did not start within ${WORKER_BOOT_TIMEOUT_MS} ms`);
    requestStop('workers did not start');
  }

  const startedAt = new Date();
  const runStart = performance.now();
  handles.forEach((h) => post(h, { type: 'start', startAtMs: Date.now() + START_DELAY_MS, connect: o.connectOnStart }));
  o.control?.attach((command) => handles.forEach((h) => post(h, { type: 'command', command })), handles.length);
  const limitMs = o.durationMs ?? o.timeLimitMs;
  const limit = delay(limitMs + START_DELAY_MS);
  void limit.promise.then(() => requestStop(o.durationMs === undefined ? 'time limit' : 'duration'));

  let lastTickAt = runStart;
  for (let tick = 1; stopReason === undefined; tick++) {
    const sleep = delay(runStart + tick * 1000 - performance.now());
    await Promise.race([sleep.promise, stopRequested]);
    sleep.cancel();
    if (stopReason !== undefined) break;
    const live = handles.filter((h) => !h.finished);
    const arrived = new Promise<void>((r) => (snapshotsArrived = r));
    snapshotsAwaited = live.length;
    live.forEach((h) => post(h, { type: 'snapshot' }));
    await within(arrived, SNAPSHOT_WAIT_MS);
    const now = performance.now();
    const line = stats.closeSecond(now - lastTickAt, false);
    o.onSecond?.(line);
    lastTickAt = now;
  }
  limit.cancel();
  o.signal?.removeEventListener('abort', onAbort);
  const stoppedAt = performance.now();

  handles.forEach((h) => post(h, { type: 'stop' }));
  const stopBoundMs = o.drainTimeoutMs + o.closeTimeoutMs + STOP_GRACE_MS;
  await within(Promise.all(handles.map((h) => h.done)), stopBoundMs);
  let workersTerminated = 0;
  for (const h of handles) {
    if (!(await within(h.exited, h.finished ? 1_000 : 0))) {
      if (!h.finished) workersTerminated++;
      await h.worker.terminate();
    }
  }
  o.control?.detach();
  // The last line also holds the drain after the stop, so its rate is over the time until the workers reported.
  const lastLine = stats.closeSecond(performance.now() - lastTickAt, true);
  o.onSecond?.(lastLine);
  if (failure !== undefined) {
    throw new SimError('SIM_ERR_WORKER_FAILED', `load run failed (${stopReason}): ${(failure as Error).message ?? String(failure)}`, { cause: failure });
  }
  const target = new URL(o.url);
  target.username = target.password = '';
  return stats.report({
    startedAt,
    elapsedMs: stoppedAt - runStart,
    settings: {
      url: target.href,
      count: o.count,
      qos: o.qos,
      encoding: o.encoding,
      ratePerDevice: o.ratePerDevice ?? 'as fast as acks allow',
      inflightWindow: o.inflightWindow,
      durationMs: o.durationMs,
      messagesPerDevice: o.messagesPerDevice,
      connectRatePerSec: o.connectRatePerSec,
      workers: o.workers,
      sourceAddresses: o.localAddresses.length || 1,
      signals: o.signals ?? null,
      stopReason,
    },
    devices: results.flat(),
    unackedAtClose,
    errorSamples: [...errorSamples],
    workersTerminated,
  });
}
