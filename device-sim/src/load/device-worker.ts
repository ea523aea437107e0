/** Worker-thread entry: runs its share of the devices and answers the main thread's snapshot, command and stop requests. */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnomalyLabel } from '@outpost/models/signals';
import { DeviceClient } from './device-client.js';
import { WorkerCounters } from './worker-counters.js';
import type { FromWorker, LoadCommand, ToWorker, WorkerInit } from './worker-protocol.js';

const RAMP_BATCH = 500;
const RAMP_MAX_SLEEP_MS = 50;
/** Labels are sent to the main thread in batches of this many, and with every snapshot. */
const LABEL_BATCH = 200;

interface Drop {
  dropped: number;
  down: Set<DeviceClient>;
  lastBackAtMs: number | null;
  answered: boolean;
}

function runWorker(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  const counters = new WorkerCounters();
  const post = (message: FromWorker) => port.postMessage(message);
  let settled = 0;
  let stopping = false;
  let rampTimer: NodeJS.Timeout | undefined;
  let labels: AnomalyLabel[] = [];
  const drops = new Map<number, Drop>();
  const flushLabels = () => {
    if (labels.length === 0) return;
    post({ type: 'labels', labels });
    labels = [];
  };
  const answerDrop = (id: number, drop: Drop) => {
    if (drop.answered) return;
    drop.answered = true;
    post({ type: 'recovered', id, dropped: drop.dropped, lastBackAtMs: drop.down.size === 0 ? drop.lastBackAtMs : null, stillDown: drop.down.size });
  };

  const devices = init.devices.map(
    (spec) =>
      new DeviceClient(spec, init.settings, counters, {
        onSettled: () => {
          settled++;
          if (settled === devices.length && !stopping) post({ type: 'idle' });
        },
        onLabels: (batch) => {
          labels.push(...batch);
          if (labels.length >= LABEL_BATCH) flushLabels();
        },
        onBack: (device, id) => {
          const drop = drops.get(id);
          if (!drop) return;
          drop.down.delete(device);
          drop.lastBackAtMs = Date.now();
          if (drop.down.size === 0) answerDrop(id, drop);
        },
      }),
  );

  // Connects happen on schedules shared with the other workers (by run index), in batches so a large ramp
  // step still lets I/O run. Schedules are queued in the order the commands arrive.
  const queue: { device: DeviceClient; dueAtMs: number }[] = [];
  let next = 0;
  const rampStep = () => {
    rampTimer = undefined;
    const now = Date.now();
    for (let n = 0; n < RAMP_BATCH && next < queue.length && queue[next]!.dueAtMs <= now && !stopping; n++) queue[next++]!.device.connect();
    if (stopping || next >= queue.length) return;
    const wait = queue[next]!.dueAtMs - Date.now();
    rampTimer = setTimeout(rampStep, wait <= 0 ? 0 : Math.min(wait, RAMP_MAX_SLEEP_MS));
  };
  const inRange = (c: { from: number; to: number }) => devices.filter((d) => d.index >= c.from && d.index < c.to);

  const run = (c: LoadCommand) => {
    if (c.type === 'connect') {
      for (const device of inRange(c)) {
        if (device.state !== 'waiting') continue;
        queue.push({ device, dueAtMs: c.ratePerSec > 0 ? c.startAtMs + ((device.index - c.from) * 1000) / c.ratePerSec : c.startAtMs });
      }
      if (rampTimer === undefined) rampTimer = setTimeout(rampStep, Math.max(0, c.startAtMs - Date.now()));
    } else if (c.type === 'drop') {
      const drop: Drop = { dropped: 0, down: new Set(), lastBackAtMs: null, answered: false };
      drops.set(c.id, drop);
      for (const device of inRange(c)) {
        if (device.drop(c.id, c.holdMs)) {
          drop.dropped++;
          drop.down.add(device);
        }
      }
      if (drop.down.size === 0) answerDrop(c.id, drop);
    } else if (c.type === 'skew') {
      for (const device of inRange(c)) device.clockSkewMs = c.offsetMs;
    } else if (c.type === 'anomalies') {
      for (const device of inRange(c)) {
        if (!device.signal) continue;
        device.signal.anomalyRate = c.rate;
        if (c.types) device.signal.anomalyTypes = c.types;
      }
    } else {
      for (const device of inRange(c)) {
        const battery = device.signal?.battery;
        if (!battery) continue;
        battery.drainMultiplier = c.drainMultiplier;
        battery.charging = c.charging ?? undefined;
      }
    }
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
    for (const [id, drop] of drops) answerDrop(id, drop);
    const gaugesAtStop = gauges();
    // One last snapshot before closing, so the main thread sees the connected gauge of a run shorter than a second.
    post({ type: 'snapshot', stats: counters.take(gaugesAtStop) });
    const unacked = await Promise.all(devices.map((d) => d.close()));
    flushLabels();
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
      if (message.connect) run({ type: 'connect', from: 0, to: Number.MAX_SAFE_INTEGER, ratePerSec: init.settings.connectRatePerSec, startAtMs: message.startAtMs });
    } else if (message.type === 'command' && !stopping) run(message.command);
    else if (message.type === 'snapshot' && !stopping) {
      flushLabels();
      post({ type: 'snapshot', stats: counters.take(gauges()) });
    } else if (message.type === 'stop') void stop();
  });
  post({ type: 'ready' });
}

if (!parentPort) throw new Error('device-worker.ts runs only as a worker thread (runDeviceLoad starts it)');
runWorker(parentPort, workerData as WorkerInit);
