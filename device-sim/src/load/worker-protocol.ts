/** Messages between `runDeviceLoad` (main thread) and its load workers. Plain data: they cross `postMessage`. */

export interface DeviceSpec {
  /** Position in the whole run; fixes the connect time on the ramp and the source address. */
  index: number;
  id: string;
  secret?: string;
  localAddress?: string;
}

export interface WorkerSettings {
  url: string;
  qos: 0 | 1;
  encoding: 'json' | 'cbor';
  ratePerDevice?: number;
  inflightWindow: number;
  messagesPerDevice?: number;
  connectRatePerSec: number;
  keepaliveSec: number;
  connectTimeoutMs: number;
  reconnectPeriodMs: number;
  drainTimeoutMs: number;
  closeTimeoutMs: number;
}

export interface WorkerInit {
  devices: DeviceSpec[];
  settings: WorkerSettings;
}

/** Counters since the previous snapshot (deltas), gauges as of now, and that interval's latency histogram. */
export interface IntervalStats {
  connected: number;
  /** Devices not yet connected and not yet failed: still on the ramp or waiting for CONNACK. */
  pendingConnects: number;
  /** Devices that have sent their whole message count and have nothing in flight. */
  finished: number;
  connectAttempts: number;
  /** Devices that connected for the first time in this interval. */
  firstConnects: number;
  connectErrors: number;
  disconnects: number;
  sent: number;
  acked: number;
  publishErrors: number;
  skipped: number;
  /** Latency histogram (µs) of this interval, compressed base64 as hdr-histogram-js encodes it. */
  latencyUs: string;
}

export interface DeviceResult {
  id: string;
  sent: number;
  acked: number;
  /** Highest seq handed to the client, -1 if none. */
  highestSentSeq: number;
  /** Highest seq whose PUBACK arrived (QoS 1), -1 if none. */
  highestAckedSeq: number;
}

export type ToWorker =
  /** `startAtMs`: epoch ms at which device index 0 connects; shared by all workers so the ramp is global. */
  | { type: 'start'; startAtMs: number }
  | { type: 'snapshot' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'snapshot'; stats: IntervalStats }
  /** Every device has finished its message count (or failed): the run may stop early. */
  | { type: 'idle' }
  | { type: 'done'; stats: IntervalStats; devices: DeviceResult[]; unackedAtClose: number; errorSamples: string[] };
