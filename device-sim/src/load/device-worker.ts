/** Worker-thread entry: runs its share of the devices and answers the main thread's snapshot and stop requests. */
import { parentPort, workerData } from 'node:worker_threads';
import { DeviceClient } from './device-client.js';
import { WorkerCounters } from './worker-counters.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const RAMP_BATCH = 500;
const RAMP_MAX_SLEEP_MS = 50;

function runWorker(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  const counters = new WorkerCounters();
  const post = (message: FromWorker) => port.postMessage(message);
  let settled = 0;
  let stopping = false;
  let rampTimer: NodeJS.Timeout | undefined;

  const devices = init.devices.map(
    (spec) =>
      new DeviceClient(spec, init.settings, counters, {
        onSettled: () => {
          settled++;
          if (settled === devices.length && !stopping) post({ type: 'idle' });
        },
      }),
  );

  const rate = init.settings.connectRatePerSec;
  let startAtMs = 0;
  const dueAt = (i: number) => (rate > 0 ? startAtMs + ((init.devices[i]?.index ?? 0) * 1000) / rate : startAtMs);
  let next = 0;
  // Connect on a schedule shared with the other workers, in batches so a large ramp step still lets I/O run.
  const rampStep = () => {
    const now = Date.now();
    for (let n = 0; n < RAMP_BATCH && next < devices.length && dueAt(next) <= now && !stopping; n++) devices[next++]?.connect();
    if (stopping || next >= devices.length) return;
    const wait = dueAt(next) - Date.now();
    rampTimer = wait <= 0 ? setTimeout(rampStep, 0) : setTimeout(rampStep, Math.min(wait, RAMP_MAX_SLEEP_MS));
  };

  const gauges = () => {
    let pendingConnects = 0;
    let finished = 0;
    for (const d of devices) {
      if (d.state === 'waiting' || d.state === 'connecting') pendingConnects++;
      if (d.settled && d.state !== 'failed') finished++;
    }
    return { pendingConnects, finished };
  };

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearTimeout(rampTimer);
    const gaugesAtStop = gauges();
    // One last snapshot before closing, so the main thread sees the connected gauge of a run shorter than a second.
    post({ type: 'snapshot', stats: counters.take(gaugesAtStop) });
    const unacked = await Promise.all(devices.map((d) => d.close()));
    post({
      type: 'done',
      stats: counters.take(gaugesAtStop),
      devices: devices.map((d) => d.result()),
      unackedAtClose: unacked.reduce((a, b) => a + b, 0),
      errorSamples: counters.errorSamples(),
    });
    port.close();
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'start' && !stopping) {
      startAtMs = message.startAtMs;
      rampTimer = setTimeout(rampStep, Math.max(0, startAtMs - Date.now()));
    } else if (message.type === 'snapshot' && !stopping) post({ type: 'snapshot', stats: counters.take(gauges()) });
    else if (message.type === 'stop') void stop();
  });
  post({ type: 'ready' });
}

if (!parentPort) throw new Error('device-worker.ts runs only as a worker thread (runDeviceLoad starts it)');
runWorker(parentPort, workerData as WorkerInit);
