import { availableParallelism } from 'node:os';
import { isValidDeviceId } from '@outpost/protocols';
import { SimError } from '../errors.js';
import { ANOMALY_TYPES, type AnomalyLabel, PROFILE_NAMES } from '@outpost/models/signals';
import type { LoadControl } from './load-control.js';
import type { SignalSettings } from './worker-protocol.js';

export interface DeviceCredential {
  id: string;
  secret: string;
}

/** One line per second of a run. `msgPerSec` is acks/s at QoS 1 and sends/s at QoS 0. */
export interface SecondLine {
  second: number;
  connected: number;
  sent: number;
  acked: number;
  errors: number;
  msgPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Options of `runDeviceLoad`. Give `durationMs`, `messagesPerDevice`, or both (whichever comes first ends the run). */
export interface DeviceLoadOptions {
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  url: string;
  /** Per-device credentials (username = id, password = secret). Without them devices connect anonymously. */
  credentials?: readonly DeviceCredential[];
  /** Number of devices; defaults to the number of credentials. Required for anonymous devices. */
  count?: number;
  /** Prefix of generated ids for anonymous devices (`<prefix><index>`). */
  idPrefix?: string;
  qos?: 0 | 1;
  encoding?: 'json' | 'cbor';
  /** Messages per second per device (fractions allowed); omit for "as fast as acks allow". */
  ratePerDevice?: number;
  /** Most unfinished publishes per device; in rate mode a tick that finds the window full is skipped. */
  inflightWindow?: number;
  durationMs?: number;
  messagesPerDevice?: number;
  /** New connections per second across all workers; 0 = all at once. */
  connectRatePerSec?: number;
  workers?: number;
  /** Source addresses to spread connections over (`localAddress`), round-robin by device index. */
  localAddresses?: readonly string[];
  keepaliveSec?: number;
  connectTimeoutMs?: number;
  /** 0 = a dropped device stays down for the rest of the run. */
  reconnectPeriodMs?: number;
  /** After stop: how long to wait for outstanding acks before closing anyway. */
  drainTimeoutMs?: number;
  /** How long a clean DISCONNECT may take before the socket is destroyed. */
  closeTimeoutMs?: number;
  /** Hard cap on a run that has only a message count, so a silent broker cannot hold it forever. */
  timeLimitMs?: number;
  onSecond?: (line: SecondLine) => void;
  signal?: AbortSignal;
  /** Readings from seeded signal profiles with labelled anomalies instead of the fixed test wave. */
  signals?: SignalSettings;
  /** Anomaly labels as they complete (in batches, at least once a second). */
  onLabels?: (labels: AnomalyLabel[]) => void;
  /** Steer the run while it runs (scenarios). */
  control?: LoadControl;
  /** false: nobody connects until `control.connect()` (default true: all devices on the connect ramp). */
  connectOnStart?: boolean;
  /**
   * Subscribe to each device's config topic and follow its reporting policy: with an adaptive policy the
   * device samples every intervalMs and sends only what the shared predictor cannot predict (seq = sample
   * index); `messagesPerDevice` then counts samples. Default false: the config topic is ignored.
   */
  followConfig?: boolean;
}

type OptionalKeys = 'credentials' | 'ratePerDevice' | 'durationMs' | 'messagesPerDevice' | 'onSecond' | 'signal' | 'signals' | 'onLabels' | 'control';
export type ResolvedLoadOptions = Required<Omit<DeviceLoadOptions, OptionalKeys>> & Pick<DeviceLoadOptions, OptionalKeys>;

const SUPPORTED_PROTOCOLS = new Set(['mqtt:', 'tcp:', 'mqtts:', 'ssl:', 'ws:', 'wss:']);

function bad(name: string, got: unknown, expected: string): never {
  throw new SimError('SIM_ERR_BAD_OPTION', `${name}: got ${JSON.stringify(got)}, expected ${expected}`);
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) bad(name, value, `an integer >= ${min}`);
  return v;
}

/** Fill in defaults and check every value; throws `SIM_ERR_BAD_OPTION` naming the option, the value and what it expects. */
export function resolveLoadOptions(input: DeviceLoadOptions): ResolvedLoadOptions {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    bad('url', input.url, 'a URL such as mqtt://127.0.0.1:1883');
  }
  if (!SUPPORTED_PROTOCOLS.has(url.protocol)) bad('url', input.url, 'an mqtt://, mqtts://, ws:// or wss:// URL');
  const localAddresses = input.localAddresses ?? [];
  if (localAddresses.length > 0 && url.protocol !== 'mqtt:' && url.protocol !== 'tcp:') {
    bad('localAddresses', localAddresses, 'no source addresses unless the URL is mqtt:// (plain TCP)');
  }
  const credentials = input.credentials;
  if (credentials) {
    credentials.forEach((c, i) => {
      if (typeof c?.id !== 'string' || !isValidDeviceId(c.id) || typeof c.secret !== 'string') bad(`credentials[${i}]`, c, '{ id, secret } with a valid device id');
    });
  }
  const count = input.count ?? credentials?.length;
  if (count === undefined) bad('count', undefined, 'an integer >= 1 (required without credentials)');
  positiveInt('count', count, 0);
  if (credentials && count > credentials.length) bad('count', count, `at most ${credentials.length} (the number of credentials)`);
  const idPrefix = input.idPrefix ?? 'sim-';
  if (!credentials && !isValidDeviceId(`${idPrefix}${count}`)) bad('idPrefix', idPrefix, 'a prefix that makes valid device ids');
  const qos = input.qos ?? 1;
  if (qos !== 0 && qos !== 1) bad('qos', qos, '0 or 1');
  const encoding = input.encoding ?? 'json';
  if (encoding !== 'json' && encoding !== 'cbor') bad('encoding', encoding, '"json" or "cbor"');
  if (input.ratePerDevice !== undefined && !(input.ratePerDevice > 0 && Number.isFinite(input.ratePerDevice))) {
    bad('ratePerDevice', input.ratePerDevice, 'a positive number of messages per second (omit for as fast as acks allow)');
  }
  if (input.durationMs === undefined && input.messagesPerDevice === undefined) bad('durationMs', undefined, 'a duration, a message count, or both');
  if (input.durationMs !== undefined) positiveInt('durationMs', input.durationMs, 0);
  if (input.messagesPerDevice !== undefined) positiveInt('messagesPerDevice', input.messagesPerDevice, 0);
  const connectRatePerSec = input.connectRatePerSec ?? 1000;
  if (!(connectRatePerSec >= 0 && Number.isFinite(connectRatePerSec))) bad('connectRatePerSec', input.connectRatePerSec, 'a number >= 0 (0 = all at once)');
  const workers = positiveInt('workers', input.workers, Math.min(2, availableParallelism(), count));
  const signals = input.signals;
  if (signals) {
    if (signals.profile !== 'mixed' && !(PROFILE_NAMES as readonly string[]).includes(signals.profile)) bad('signals.profile', signals.profile, `one of ${PROFILE_NAMES.join(', ')}, mixed`);
    if (!(signals.anomalyRate >= 0 && signals.anomalyRate <= 1)) bad('signals.anomalyRate', signals.anomalyRate, 'a probability per reading from 0 to 1');
    if (!(signals.timeScale > 0 && Number.isFinite(signals.timeScale))) bad('signals.timeScale', signals.timeScale, 'a positive number');
    for (const t of signals.anomalyTypes ?? []) if (!(ANOMALY_TYPES as readonly string[]).includes(t)) bad('signals.anomalyTypes', t, `one of ${ANOMALY_TYPES.join(', ')}`);
  }
  return {
    url: input.url,
    credentials,
    count,
    idPrefix,
    qos,
    encoding,
    ratePerDevice: input.ratePerDevice,
    inflightWindow: positiveInt('inflightWindow', input.inflightWindow, 16),
    durationMs: input.durationMs,
    messagesPerDevice: input.messagesPerDevice,
    connectRatePerSec,
    workers: Math.min(workers, count),
    localAddresses,
    keepaliveSec: positiveInt('keepaliveSec', input.keepaliveSec, 60, 0),
    connectTimeoutMs: positiveInt('connectTimeoutMs', input.connectTimeoutMs, 10_000),
    reconnectPeriodMs: positiveInt('reconnectPeriodMs', input.reconnectPeriodMs, 0, 0),
    drainTimeoutMs: positiveInt('drainTimeoutMs', input.drainTimeoutMs, 5_000, 0),
    closeTimeoutMs: positiveInt('closeTimeoutMs', input.closeTimeoutMs, 2_000),
    timeLimitMs: positiveInt('timeLimitMs', input.timeLimitMs, 600_000),
    onSecond: input.onSecond,
    signal: input.signal,
    signals,
    onLabels: input.onLabels,
    control: input.control,
    connectOnStart: input.connectOnStart ?? true,
    followConfig: input.followConfig ?? false,
  };
}

/** `127.0.0.1` … `127.0.0.<n>`: loopback source addresses, each good for one local port range. */
export function loopbackAddresses(n: number): string[] {
  if (!Number.isSafeInteger(n) || n < 1 || n > 254) bad('sourceAddresses', n, 'an integer from 1 to 254');
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}
