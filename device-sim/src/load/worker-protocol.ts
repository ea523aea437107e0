/** Messages between `runDeviceLoad` (main thread) and its load workers. Plain data: they cross `postMessage`. */
import type { AnomalyLabel, AnomalyType, ProfileChoice } from '@outpost/models/signals';
import type { AdaptiveSummary } from '../power/adaptive-reporter.js';
import type { SeqRanges } from './seq-ranges.js';

/** Realistic readings instead of the fixed test wave: each device gets a seeded signal generator. */
export interface SignalSettings {
  seed: number | string;
  profile: ProfileChoice;
  anomalyRate: number;
  anomalyTypes?: AnomalyType[];
  timeScale: number;
}

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
  signal?: SignalSettings;
  /** Subscribe to the device's config topic and follow its reporting policy (adaptive reporting). */
  followConfig?: boolean;
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
  /** Every seq whose PUBACK arrived, as inclusive ranges (QoS 1): what the loss audit checks against the store. */
  ackedRanges: SeqRanges;
  /** With `followConfig`: what adaptive reporting did (samples taken, transmissions, epochs). */
  adaptive?: AdaptiveSummary;
}

/**
 * Commands to the devices of one run while it runs, each over the devices with run index in [from, to).
 * connect: put them on a connect ramp; drop: destroy their sockets at once and reconnect after `holdMs`
 * (a reconnect storm); skew: stamp `ts` off by `offsetMs`; anomalies: change the injection rate;
 * battery: scale the battery drain and force charging on or off (`null` = follow the solar window).
 */
export type LoadCommand =
  | { type: 'connect'; from: number; to: number; ratePerSec: number; startAtMs: number }
  | { type: 'drop'; id: number; from: number; to: number; holdMs: number }
  | { type: 'skew'; from: number; to: number; offsetMs: number }
  | { type: 'anomalies'; from: number; to: number; rate: number; types?: AnomalyType[] }
  | { type: 'battery'; from: number; to: number; drainMultiplier: number; charging: boolean | null };

export type ToWorker =
  /** `startAtMs`: epoch ms at which device index 0 connects; shared by all workers so the ramp is global. */
  | { type: 'start'; startAtMs: number; connect: boolean }
  | { type: 'command'; command: LoadCommand }
  | { type: 'snapshot' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'snapshot'; stats: IntervalStats }
  /** Every device has finished its message count (or failed): the run may stop early. */
  | { type: 'idle' }
  | { type: 'labels'; labels: AnomalyLabel[] }
  /** Answer to a drop: how many of this worker's devices dropped, and when the last of them was back (null: not all back by the stop). */
  | { type: 'recovered'; id: number; dropped: number; lastBackAtMs: number | null; stillDown: number }
  | { type: 'done'; stats: IntervalStats; devices: DeviceResult[]; unackedAtClose: number; errorSamples: string[] };
