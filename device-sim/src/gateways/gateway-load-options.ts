import { DATA_CLASS_NAMES, type DataClass } from '@outpost/protocols';
import { SimError } from '../errors.js';
import type { SecondLine } from '../load/load-options.js';

/** What `Enroll` returned for one simulated gateway; saved in the credentials file so a later run reuses it. */
export interface GatewayCredential {
  gatewayId: string;
  /** `<gatewayId>.<secret>`, sent as `authorization: Bearer <credential>`. */
  credential: string;
  hubId: string;
  name: string;
}

/** The hub's admin HTTP API: creates enrollment tokens and answers the loss audit. */
export interface HubApi {
  url: string;
  token: string;
}

export type RecordMix = Partial<Record<DataClass, number>>;

export const DEFAULT_MIX: RecordMix = { alert: 1, summary: 20, deviceState: 5, rawReading: 74 };
/** The protocol's advice: keep batches at most ~5000 records so acks come back quickly. */
export const MAX_BATCH_RECORDS = 5000;

/** Options of `runGatewayLoad`. Gateways come from `credentials`/`credentialsFile`, then enrollment (`tokens` or `hubApi`). */
export interface GatewayLoadOptions {
  /** The hub's gRPC sync address, `host:port`. */
  hub: string;
  /** Simulated gateways; defaults to the number of saved credentials. */
  count?: number;
  /** Already enrolled gateways, used first. */
  credentials?: readonly GatewayCredential[];
  /** JSON file of credentials: read when it exists (no enrollment for those), written after enrolling. */
  credentialsFile?: string;
  /** One-time enrollment tokens for the gateways still to enroll; without them `hubApi` creates tokens. */
  tokens?: readonly string[];
  hubApi?: HubApi;
  /** gRPC channels (TCP connections) shared round-robin by the gateways; default one per gateway. */
  channels?: number;
  /** Records per second per gateway; 0 = as fast as acks allow. Default 10. */
  ratePerGateway?: number;
  /** Most records per batch. Default 100. */
  batchRecords?: number;
  /** Most unacked batches per gateway. Default 4. */
  inFlightBatches?: number;
  /** Relative weights of the data classes. Default alert 1, summary 20, deviceState 5, rawReading 74. */
  mix?: RecordMix;
  devicesPerGateway?: number;
  /** New gateways per second; 0 = all at once. Default 100. */
  connectRatePerSec?: number;
  durationMs: number;
  /** After the duration: how long to wait for outstanding acks (reconnecting if need be). Default 15 s. */
  drainTimeoutMs?: number;
  /** Check every gateway's counts through `hubApi` after the run. Default true (needs `hubApi`). */
  audit?: boolean;
  /** Gateway names: `<prefix><index>`. */
  namePrefix?: string;
  /** Seed of the record mix and the payload values. */
  seed?: number;
  /**
   * Rate mode: a gateway sends what it owes at least this often, and at once when a full batch is owed.
   * Default 1000 ms (about how often a real gateway's outbox pump looks again when idle).
   */
  flushIntervalMs?: number;
  /** Most records a gateway owes (not yet sent) in rate mode; beyond it new records are skipped and counted. */
  maxBacklogRecords?: number;
  ackTimeoutMs?: number;
  welcomeTimeoutMs?: number;
  /** Enrollments and audit requests in flight at once. Default 16. */
  concurrency?: number;
  onSecond?: (line: SecondLine) => void;
  /** Progress and notable events, one line each (enrollment, refused gateways). */
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

type OptionalKeys = 'count' | 'credentials' | 'credentialsFile' | 'tokens' | 'hubApi' | 'channels' | 'onSecond' | 'onLog' | 'signal';
export type ResolvedGatewayLoadOptions = Required<Omit<GatewayLoadOptions, OptionalKeys | 'mix'>> &
  Pick<GatewayLoadOptions, OptionalKeys> & { mix: Record<DataClass, number> };

function bad(name: string, got: unknown, expected: string): never {
  throw new SimError('SIM_ERR_BAD_OPTION', `${name}: got ${JSON.stringify(got)}, expected ${expected}`);
}

function int(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) bad(name, value, `an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}`);
  return v;
}

const HUB_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `alert=1,summary=20,…` → weights; throws an Error naming the bad part. */
export function parseMix(text: string): Record<DataClass, number> {
  const mix = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 0])) as Record<DataClass, number>;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, weight] = part.split('=').map((s) => s.trim());
    if (!(DATA_CLASS_NAMES as readonly string[]).includes(name ?? '')) throw new Error(`unknown data class "${name}" (expected ${DATA_CLASS_NAMES.join(', ')})`);
    const value = Number(weight);
    if (weight === undefined || weight === '' || !Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a weight >= 0, got "${weight ?? ''}"`);
    mix[name as DataClass] = value;
  }
  if (!Object.values(mix).some((w) => w > 0)) throw new Error(`expected class=weight pairs with at least one weight > 0, got "${text}"`);
  return mix;
}

function resolveMix(mix: RecordMix): Record<DataClass, number> {
  const full = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 0])) as Record<DataClass, number>;
  for (const [name, weight] of Object.entries(mix)) {
    if (!(DATA_CLASS_NAMES as readonly string[]).includes(name)) bad('mix', name, `data classes from ${DATA_CLASS_NAMES.join(', ')}`);
    if (!(typeof weight === 'number' && Number.isFinite(weight) && weight >= 0)) bad(`mix.${name}`, weight, 'a weight >= 0');
    full[name as DataClass] = weight;
  }
  if (!Object.values(full).some((w) => w > 0)) bad('mix', mix, 'at least one weight > 0');
  return full;
}

/** Fill in defaults and check every value; throws `SIM_ERR_BAD_OPTION` naming the option, the value and what it expects. */
export function resolveGatewayLoadOptions(input: GatewayLoadOptions): ResolvedGatewayLoadOptions {
  if (typeof input.hub !== 'string' || !HUB_ADDRESS.test(input.hub)) bad('hub', input.hub, "the hub's gRPC address as host:port, e.g. 127.0.0.1:50051");
  if (input.hubApi) {
    let url: URL | undefined;
    try {
      url = new URL(input.hubApi.url);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) bad('hubApi.url', input.hubApi.url, 'an http(s) URL such as http://127.0.0.1:8081');
    if (!input.hubApi.token) bad('hubApi.token', input.hubApi.token, "the hub's API token (its data dir's api-token file)");
  }
  const count = input.count === undefined ? undefined : int('count', input.count, 0, 1, 100_000);
  const rate = input.ratePerGateway ?? 10;
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) bad('ratePerGateway', rate, 'records per second >= 0 (0 = as fast as acks allow)');
  const audit = input.audit ?? true;
  if (audit && !input.hubApi) bad('audit', audit, 'hubApi (url and token) to read the counts from, or audit: false');
  return {
    hub: input.hub,
    count,
    credentials: input.credentials,
    credentialsFile: input.credentialsFile,
    tokens: input.tokens,
    hubApi: input.hubApi,
    channels: input.channels === undefined ? undefined : int('channels', input.channels, 0, 1, count ?? 100_000),
    ratePerGateway: rate,
    batchRecords: int('batchRecords', input.batchRecords, 100, 1, MAX_BATCH_RECORDS),
    inFlightBatches: int('inFlightBatches', input.inFlightBatches, 4, 1, 64),
    mix: resolveMix(input.mix ?? DEFAULT_MIX),
    devicesPerGateway: int('devicesPerGateway', input.devicesPerGateway, 10, 1, 10_000),
    connectRatePerSec: (() => {
      const v = input.connectRatePerSec ?? 100;
      if (!(Number.isFinite(v) && v >= 0)) bad('connectRatePerSec', v, 'gateways per second >= 0 (0 = all at once)');
      return v;
    })(),
    durationMs: int('durationMs', input.durationMs, 0, 1, 86_400_000),
    drainTimeoutMs: int('drainTimeoutMs', input.drainTimeoutMs, 15_000, 0),
    audit,
    namePrefix: input.namePrefix ?? 'sim-gw-',
    seed: int('seed', input.seed, 1, 0, 0xffffffff),
    flushIntervalMs: int('flushIntervalMs', input.flushIntervalMs, 1000, 10, 60_000),
    maxBacklogRecords: int('maxBacklogRecords', input.maxBacklogRecords, 100_000, 1),
    ackTimeoutMs: int('ackTimeoutMs', input.ackTimeoutMs, 30_000, 100),
    welcomeTimeoutMs: int('welcomeTimeoutMs', input.welcomeTimeoutMs, 15_000, 100),
    concurrency: int('concurrency', input.concurrency, 16, 1, 1000),
    onSecond: input.onSecond,
    onLog: input.onLog,
    signal: input.signal,
  };
}
