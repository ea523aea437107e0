import { performance } from 'node:perf_hooks';
import { deviceTopics } from '@outpost/protocols';
import type { Histogram } from 'hdr-histogram-js';
import type { MqttClient } from 'mqtt';
import { SimError } from '../errors.js';
import type { DeviceCredential } from '../load/load-options.js';
import { openMqttClient } from '../load/open-mqtt-client.js';
import { telemetryPayload } from '../load/telemetry-payload.js';
import { createLatencyHistogram } from '../load/worker-counters.js';
import type { WorkerSettings } from '../load/worker-protocol.js';

export interface MarkedPublisherOptions {
  url: string;
  credentials: readonly DeviceCredential[];
  /** Readings per second over all devices. */
  ratePerSec: number;
  /** Every `markEvery`-th reading of each device carries `markedValue` (staggered over devices). */
  markEvery: number;
  markedValue: number;
  /** Unacknowledged publishes per device; a due reading that finds the window full is skipped and counted. */
  inflightPerDevice: number;
}

/** One measured phase: what was sent and acknowledged, and when each reading's PUBACK came. */
export interface PhaseRecord {
  /** performance.now() when publishing started. */
  startedAtMs: number;
  elapsedMs: number;
  sent: number;
  acked: number;
  skipped: number;
  errors: string[];
  /** publish → PUBACK, µs. */
  ackLatencyUs: Histogram;
  /** `deviceId|ts` → performance.now() at the PUBACK, for every acknowledged reading of the phase. */
  ackAt: Map<string, number>;
  /** Keys of the marked readings published in the phase. */
  marked: string[];
}

interface Device {
  id: string;
  index: number;
  client: MqttClient;
  topic: string;
  seq: number;
  lastTs: number;
  inflight: number;
}

const TICK_MS = 5;
/** After an event-loop stall, at most this much of the rate's backlog is published at once; the rest is skipped. */
const MAX_BACKLOG_MS = 100;
const CONNECT_TIMEOUT_MS = 10_000;
const CONNECT_CONCURRENCY = 100;

export const readingKey = (deviceId: string, ts: number) => `${deviceId}|${ts}`;

/** A temperature around 21 °C that a threshold rule at 100 °C never sees; deterministic per device and seq. */
function normalTemperature(index: number, seq: number): number {
  const wave = 2 * Math.sin((2 * Math.PI * (seq + index * 37)) / 600);
  const jitter = (((seq * 7919 + index * 104_729) % 13) - 6) * 0.02;
  return Math.round((21 + wave + jitter) * 100) / 100;
}

/**
 * The alert bench's devices: one MQTT connection each (QoS 1, JSON readings of `temperature`), publishing
 * round-robin at a total rate from one timer, every K-th reading of each device marked. Timestamps are the
 * wall clock, made strictly increasing per device so that (device, ts) names one reading.
 */
export class MarkedPublisher {
  private constructor(
    private readonly o: MarkedPublisherOptions,
    private readonly devices: Device[],
  ) {}

  static async connect(o: MarkedPublisherOptions): Promise<MarkedPublisher> {
    const settings: WorkerSettings = { url: o.url, qos: 1, encoding: 'json', inflightWindow: o.inflightPerDevice, connectRatePerSec: 0, keepaliveSec: 60, connectTimeoutMs: CONNECT_TIMEOUT_MS, reconnectPeriodMs: 0, drainTimeoutMs: 5_000, closeTimeoutMs: 2_000 };
    const devices: Device[] = [];
    const open = async (credential: DeviceCredential, index: number) => {
      const client = openMqttClient({ index, id: credential.id, secret: credential.secret }, settings);
      devices.push({ id: credential.id, index, client, topic: deviceTopics.telemetry(credential.id), seq: 0, lastTs: 0, inflight: 0 });
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error(`${credential.id}: connection closed before CONNACK`)));
      });
    };
    try {
      for (let start = 0; start < o.credentials.length; start += CONNECT_CONCURRENCY) {
        await Promise.all(o.credentials.slice(start, start + CONNECT_CONCURRENCY).map((c, i) => open(c, start + i)));
      }
    } catch (err) {
      devices.forEach((d) => d.client.end(true));
      throw new SimError('SIM_ERR_BENCH', `connecting the bench's devices: ${(err as Error).message}`, { cause: err });
    }
    devices.sort((a, b) => a.index - b.index);
    return new MarkedPublisher(o, devices);
  }

  /** Publish at the rate for `durationMs` (or until `signal` aborts), then wait up to `drainMs` for the outstanding PUBACKs. */
  async run(durationMs: number, drainMs: number, signal?: AbortSignal): Promise<PhaseRecord> {
    const record: PhaseRecord = { startedAtMs: 0, elapsedMs: 0, sent: 0, acked: 0, skipped: 0, errors: [], ackLatencyUs: createLatencyHistogram(), ackAt: new Map(), marked: [] };
    const n = this.devices.length;
    let issued = 0;
    let next = 0;
    let inflight = 0;
    let drained: (() => void) | null = null;
    const publish = (d: Device) => {
      const seq = d.seq++;
      const ts = Math.max(Date.now(), d.lastTs + 1);
      d.lastTs = ts;
      const marked = (seq + d.index) % this.o.markEvery === 0;
      const payload = telemetryPayload(seq, ts, 'json', { temperature: marked ? this.o.markedValue : normalTemperature(d.index, seq) });
      const key = readingKey(d.id, ts);
      if (marked) record.marked.push(key);
      d.inflight++;
      inflight++;
      record.sent++;
      const t0 = performance.now();
      d.client.publish(d.topic, payload, { qos: 1 }, (err) => {
        const now = performance.now();
        d.inflight--;
        inflight--;
        if (err) {
          if (record.errors.length < 20) record.errors.push(`${d.id}: ${err.message}`);
        } else {
          record.acked++;
          record.ackAt.set(key, now);
          record.ackLatencyUs.recordValue(Math.max(1, Math.round((now - t0) * 1000)));
        }
        if (inflight === 0) drained?.();
      });
    };
    const started = performance.now();
    record.startedAtMs = started;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - started;
        const due = Math.floor((Math.min(elapsed, durationMs) * this.o.ratePerSec) / 1000);
        const backlog = Math.ceil((MAX_BACKLOG_MS * this.o.ratePerSec) / 1000);
        if (due - issued > backlog) {
          record.skipped += due - issued - backlog;
          issued = due - backlog;
        }
        for (; issued < due; issued++) {
          const d = this.devices[next]!;
          next = (next + 1) % n;
          if (d.inflight >= this.o.inflightPerDevice) record.skipped++;
          else publish(d);
        }
        if (elapsed >= durationMs || signal?.aborted) return resolve();
        setTimeout(tick, TICK_MS - ((performance.now() - started) % TICK_MS));
      };
      tick();
    });
    record.elapsedMs = performance.now() - started;
    if (inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return record;
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.client.endAsync().catch(() => d.client.end(true))));
  }
}
