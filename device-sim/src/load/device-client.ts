import { performance } from 'node:perf_hooks';
import type { MqttClient } from 'mqtt';
import { deviceTopics } from '@outpost/protocols';
import { type AnomalyLabel, profileForDevice, SignalGenerator } from '@outpost/models/signals';
import { AdaptiveReporter } from '../power/adaptive-reporter.js';
import { openMqttClient } from './open-mqtt-client.js';
import { addSeq, type SeqRanges } from './seq-ranges.js';
import { telemetryPayload, waveMetrics } from './telemetry-payload.js';
import type { WorkerCounters } from './worker-counters.js';
import type { DeviceResult, DeviceSpec, WorkerSettings } from './worker-protocol.js';

/**
 * One simulated device. States:
 *   waiting    → on the connect ramp, no socket yet
 *   connecting → socket open or opening, no CONNACK yet (MQTT.js may also be reconnecting)
 *   connected  → publishing (by rate or by ack window)
 *   failed     → could not connect and reconnects are off; terminal until close
 *   closing    → stop requested: no new publishes, waiting for outstanding acks, then DISCONNECT
 *   closed     → socket gone
 */
export type DeviceState = 'waiting' | 'connecting' | 'connected' | 'failed' | 'closing' | 'closed';

/** The worker's view of a device's lifecycle, so it can keep gauges and notice when all are done. */
export interface DeviceEvents {
  onSettled(device: DeviceClient): void;
  onLabels(labels: AnomalyLabel[]): void;
  /** A device dropped by `drop()` has its CONNACK again. */
  onBack(device: DeviceClient, dropId: number): void;
}

/** Fastest rate tick; above 100 msg/s a device publishes the messages due in each tick as a burst. */
const MIN_RATE_TICK_MS = 10;

export class DeviceClient {
  state: DeviceState = 'waiting';
  private client: MqttClient | undefined;
  private readonly topic: string;
  private nextSeq = 0;
  private acked = 0;
  private highestAckedSeq = -1;
  private inflight = 0;
  private everConnected = false;
  private attemptFailed = false;
  private rateTimer: NodeJS.Timeout | undefined;
  private rateStartMs = 0;
  private rateIssued = 0;
  private pumpScheduled = false;
  private drained: (() => void) | undefined;
  private readonly ackedRanges: SeqRanges = [];
  /** Set by a drop until the device is connected again. */
  private dropId: number | undefined;
  /** Added to the device's clock when it stamps `ts` (clock-skew faults). */
  clockSkewMs = 0;
  readonly signal: SignalGenerator | undefined;
  /** With `followConfig`: adaptive reporting as the config topic asks; while active, the usual publishing pauses. */
  readonly reporter: AdaptiveReporter | undefined;
  private published = 0;
  /** True once the device has nothing more to do: its count is sent and acked, or it cannot connect. */
  settled = false;

  constructor(
    private readonly spec: DeviceSpec,
    private readonly settings: WorkerSettings,
    private readonly counters: WorkerCounters,
    private readonly events: DeviceEvents,
  ) {
    this.topic = deviceTopics.telemetry(spec.id);
    const sig = settings.signal;
    if (sig) {
      this.signal = new SignalGenerator({
        seed: sig.seed,
        deviceId: spec.id,
        profile: profileForDevice(sig.profile, spec.index),
        anomalyRate: sig.anomalyRate,
        anomalyTypes: sig.anomalyTypes,
        timeScale: sig.timeScale,
      });
    }
    if (settings.followConfig) {
      let wave = 0;
      this.reporter = new AdaptiveReporter({
        sample: (ts) => {
          if (!this.signal) return waveMetrics(wave++);
          const sample = this.signal.next(ts);
          if (sample.labels.length > 0) this.events.onLabels(sample.labels);
          return sample.metrics;
        },
        transmit: (seq, ts, metrics) => this.publishReading(seq, ts, metrics),
        onModeChange: (adaptive) => {
          if (!adaptive && this.settings.ratePerDevice === undefined) this.pump();
        },
        canSample: () => this.state === 'connected',
        now: () => Date.now() + this.clockSkewMs,
        onExhausted: () => {
          if (this.inflight === 0) this.settle();
        },
        maxSamples: settings.messagesPerDevice,
      });
    }
  }

  get index(): number {
    return this.spec.index;
  }

  get droppedBy(): number | undefined {
    return this.dropId;
  }

  /**
   * Destroy the socket without DISCONNECT, as a network failure would, and reconnect after `holdMs`
   * (retrying every `holdMs`, at least 100 ms, until a CONNACK). Returns false if the device was not connected.
   */
  drop(id: number, holdMs: number): boolean {
    const client = this.client;
    if (this.state !== 'connected' || !client) return false;
    this.dropId = id;
    client.options.reconnectPeriod = Math.max(100, holdMs);
    client.stream?.destroy();
    return true;
  }

  connect(): void {
    if (this.state !== 'waiting') return;
    this.state = 'connecting';
    this.counters.connectAttempts++;
    this.client = openMqttClient(this.spec, this.settings);
    const client = this.client;
    client.on('connect', () => this.onConnect());
    client.on('reconnect', () => {
      this.counters.connectAttempts++;
      this.attemptFailed = false;
    });
    client.on('error', (err) => {
      if (!client.connected && !this.attemptFailed) {
        this.attemptFailed = true;
        this.counters.recordError('connect', err);
      }
    });
    client.on('close', () => this.onClose());
    if (this.reporter) {
      const reporter = this.reporter;
      const configTopic = deviceTopics.config(this.spec.id);
      client.on('message', (topic, payload) => topic === configTopic && reporter.onConfig(payload));
      // MQTT.js subscribes again by itself after a reconnect; the retained config comes with every SUBACK.
      client.once('connect', () => client.subscribe(configTopic, { qos: 1 }, (err) => err && this.counters.recordError('publish', new Error(`subscribe to ${configTopic}: ${err.message}`))));
    }
  }

  private onConnect(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'connected';
    if (this.dropId !== undefined && this.client) {
      const id = this.dropId;
      this.dropId = undefined;
      this.client.options.reconnectPeriod = this.settings.reconnectPeriodMs;
      this.events.onBack(this, id);
    }
    if (!this.everConnected) this.counters.firstConnects++;
    this.everConnected = true;
    this.counters.connected++;
    if (this.settings.ratePerDevice === undefined) this.pump();
    else if (!this.rateTimer) {
      // A random phase over one period keeps devices that connected together from publishing in lockstep.
      // The phase is fixed when drawn, not when the timer fires: a stalled event loop must not align devices.
      const phaseMs = Math.random() * (1000 / this.settings.ratePerDevice);
      this.rateStartMs = performance.now() + phaseMs;
      this.rateTimer = setTimeout(() => {
        this.rateTick();
        this.scheduleRateTick();
      }, phaseMs);
    }
  }

  private onClose(): void {
    const wasConnected = this.state === 'connected';
    if (wasConnected && this.dropId !== undefined) {
      // Our own drop: not an error, and the device must come back even with reconnects off.
      this.counters.connected--;
      this.state = 'connecting';
      return;
    }
    if (this.state === 'connecting' && this.dropId !== undefined) return;
    if (wasConnected) {
      this.counters.connected--;
      this.state = 'connecting';
      this.counters.recordError('disconnect', new Error('connection closed by the broker or the network'));
    } else if (this.state === 'connecting' && !this.attemptFailed) {
      this.attemptFailed = true;
      this.counters.recordError('connect', new Error('connection closed before CONNACK (timeout or refused)'));
    }
    if (this.state === 'connecting' && this.settings.reconnectPeriodMs === 0) {
      this.state = 'failed';
      this.settle();
    }
  }

  /** In adaptive mode the message count is a count of samples (most are not sent). */
  private messagesLeft(): boolean {
    if (this.reporter?.active) return !this.reporter.exhausted;
    const limit = this.settings.messagesPerDevice;
    return limit === undefined || this.nextSeq < limit;
  }

  /** "As fast as acks allow": keep the window full. */
  private pump(): void {
    this.pumpScheduled = false;
    if (this.reporter?.active) return;
    while (this.state === 'connected' && this.inflight < this.settings.inflightWindow && this.messagesLeft()) this.publishOne();
  }

  /**
   * One tick per message period, so 100k slow devices cost 100k timer callbacks per period, not per 10 ms.
   * Each tick is aimed at the device's own phase (rateStartMs + k periods) rather than re-armed from when it ran,
   * as setInterval does: after an event-loop stall the overdue devices fire together once, then spread out
   * again instead of publishing in lockstep for the rest of the run.
   */
  private scheduleRateTick(): void {
    if (this.settled || this.state === 'closing' || this.state === 'closed') return;
    const periodMs = Math.max(MIN_RATE_TICK_MS, 1000 / (this.settings.ratePerDevice ?? 1));
    const now = performance.now();
    const nextAt = this.rateStartMs + (Math.floor((now - this.rateStartMs) / periodMs) + 1) * periodMs;
    this.rateTimer = setTimeout(() => {
      this.rateTick();
      this.scheduleRateTick();
    }, nextAt - now);
  }

  private rateTick(): void {
    if (this.state !== 'connected' || this.reporter?.active) return;
    // Count what is due by elapsed time, so timer drift does not lower the rate; half a period of slack
    // because timers may fire a fraction of a millisecond before performance.now() reaches the period.
    const due = Math.floor(((performance.now() - this.rateStartMs) * (this.settings.ratePerDevice ?? 0)) / 1000 + 0.5) + 1;
    for (let burst = 0; this.rateIssued < due && burst < this.settings.inflightWindow && this.messagesLeft(); burst++) {
      this.rateIssued++;
      if (this.inflight >= this.settings.inflightWindow) this.counters.skipped++;
      else this.publishOne();
    }
    this.rateIssued = Math.max(this.rateIssued, due - this.settings.inflightWindow);
  }

  private publishOne(): void {
    const client = this.client;
    if (!client) return;
    const ts = Date.now() + this.clockSkewMs;
    let metrics: Record<string, number> | undefined;
    if (this.signal) {
      const sample = this.signal.next(ts);
      if (sample.labels.length > 0) this.events.onLabels(sample.labels);
      // Every metric dropped out: the device sends nothing this time, and spends no seq on it.
      if (sample.metrics === null) return;
      metrics = sample.metrics;
    }
    this.publishReading(this.nextSeq++, ts, metrics);
  }

  private publishReading(seq: number, ts: number, metrics: Record<string, number> | undefined): void {
    const client = this.client;
    if (!client) return;
    const payload = telemetryPayload(seq, ts, this.settings.encoding, metrics);
    const qos = this.settings.qos;
    this.published++;
    this.inflight++;
    this.counters.sent++;
    const t0 = performance.now();
    client.publish(this.topic, payload, { qos }, (err) => {
      this.inflight--;
      if (err) {
        if (this.state !== 'closing' && this.state !== 'closed') this.counters.recordError('publish', err);
      } else if (qos === 1) {
        this.acked++;
        if (seq > this.highestAckedSeq) this.highestAckedSeq = seq;
        addSeq(this.ackedRanges, seq);
        this.counters.recordAck((performance.now() - t0) * 1000);
      }
      this.afterCompletion();
    });
  }

  private afterCompletion(): void {
    if (this.inflight === 0) {
      this.drained?.();
      if (!this.messagesLeft()) this.settle();
    }
    if (this.settings.ratePerDevice !== undefined || this.pumpScheduled) return;
    // QoS 0 callbacks run inside publish(); deferring the refill keeps that from recursing and lets I/O in.
    if (this.settings.qos === 0) {
      this.pumpScheduled = true;
      setImmediate(() => this.pump());
    } else this.pump();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.rateTimer);
    this.events.onSettled(this);
  }

  /** Stop publishing, wait up to `drainTimeoutMs` for outstanding acks, then DISCONNECT (or destroy after `closeTimeoutMs`). */
  async close(): Promise<number> {
    const wasConnected = this.state === 'connected';
    if (this.rateTimer) clearInterval(this.rateTimer);
    this.reporter?.close();
    this.state = 'closing';
    const client = this.client;
    if (!client) {
      this.state = 'closed';
      return 0;
    }
    if (this.inflight > 0 && wasConnected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.drainTimeoutMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const unacked = this.settings.qos === 1 ? this.inflight : 0;
    await new Promise<void>((resolve) => {
      // A broker that stopped reading never completes the DISCONNECT; the socket is destroyed instead.
      const timer = setTimeout(() => {
        client.stream?.destroy();
        resolve();
      }, this.settings.closeTimeoutMs);
      client.end(this.inflight > 0 || !wasConnected, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (wasConnected) this.counters.connected--;
    this.state = 'closed';
    const last = this.signal?.finish() ?? [];
    if (last.length > 0) this.events.onLabels(last);
    return unacked;
  }

  result(): DeviceResult {
    return {
      id: this.spec.id,
      sent: this.published,
      acked: this.acked,
      highestSentSeq: this.nextSeq - 1,
      highestAckedSeq: this.highestAckedSeq,
      ackedRanges: this.ackedRanges,
      ...(this.reporter ? { adaptive: { ...this.reporter.summary } } : {}),
    };
  }
}
