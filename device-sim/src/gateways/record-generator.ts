import { DATA_CLASSES, DATA_CLASS_NAMES, type DataClass, dataClassFromProto, type HlcTimestamp, type RecordMessage, type SyncPayload } from '@outpost/protocols';

/**
 * A batch as the simulated gateway keeps it until acked: enough to rebuild its records byte for byte, so a
 * resend is identical to the first send (as a real gateway's outbox resend is) without holding payloads.
 * Record i has seq `firstSeq + i` and HLC `(hlcWallMs, hlcLogical + i)`.
 */
export interface BatchPlan {
  firstSeq: number;
  hlcWallMs: number;
  hlcLogical: number;
  /** Proto data class of each record. */
  classes: Uint8Array;
}

export const lastSeqOf = (plan: BatchPlan) => plan.firstSeq + plan.classes.length - 1;

/** splitmix32-style hash of two integers to [0, 1): payload values are a pure function of (gateway, seq, k). */
function unit(a: number, b: number, k: number): number {
  let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + k * 0x85ebca6b, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const METRICS = ['temperature', 'humidity', 'power_w'] as const;
const SEVERITIES = ['info', 'warning', 'critical'] as const;
const MINUTE_MS = 60_000;

/**
 * Records of one simulated gateway: data classes drawn from the mix with a seeded generator, payloads valid
 * against `syncPayloadSchemas`, spread over the gateway's devices.
 */
export class RecordGenerator {
  readonly #cumulative: { proto: number; upTo: number }[] = [];
  #state: number;

  constructor(
    private readonly gatewayIndex: number,
    private readonly devicesPerGateway: number,
    mix: Partial<Record<DataClass, number>>,
    seed: number,
  ) {
    const weight = (c: DataClass) => mix[c] ?? 0;
    const total = DATA_CLASS_NAMES.reduce((sum, c) => sum + weight(c), 0);
    let upTo = 0;
    for (const c of DATA_CLASS_NAMES) {
      if (!(weight(c) > 0)) continue;
      upTo += weight(c) / total;
      this.#cumulative.push({ proto: DATA_CLASSES[c].proto, upTo });
    }
    if (this.#cumulative.length === 0) throw new Error('the record mix needs at least one weight > 0');
    this.#state = (seed ^ Math.imul(gatewayIndex + 1, 0x9e3779b1)) >>> 0;
  }

  /** mulberry32 */
  #random(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Plan the next batch: `count` records from `firstSeq`, stamped from `hlc` on. */
  plan(firstSeq: number, count: number, hlc: HlcTimestamp): BatchPlan {
    const classes = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const r = this.#random();
      classes[i] = (this.#cumulative.find((c) => r < c.upTo) ?? this.#cumulative[this.#cumulative.length - 1]!).proto;
    }
    return { firstSeq, hlcWallMs: hlc.wallMs, hlcLogical: hlc.logical, classes };
  }

  records(plan: BatchPlan): RecordMessage[] {
    const out: RecordMessage[] = new Array(plan.classes.length);
    for (let i = 0; i < plan.classes.length; i++) {
      const seq = plan.firstSeq + i;
      const dataClass = plan.classes[i]!;
      const payload = this.payload(dataClassFromProto(dataClass)!, seq, plan.hlcWallMs);
      out[i] = { seq, dataClass, hlc: { wallMs: plan.hlcWallMs, logical: plan.hlcLogical + i }, payload: Buffer.from(JSON.stringify(payload)) };
    }
    return out;
  }

  deviceId(k: number): string {
    return `sim${this.gatewayIndex}-d${k}`;
  }

  /** The payload of record `seq` (class `dataClass`, stamped `ts`): the same inputs give the same payload. */
  payload(dataClass: DataClass, seq: number, ts: number): SyncPayload<DataClass> {
    const u = (k: number) => unit(this.gatewayIndex, seq, k);
    const device = Math.floor(u(0) * this.devicesPerGateway);
    const deviceId = this.deviceId(device);
    const metric = METRICS[device % METRICS.length]!;
    const base = metric === 'temperature' ? 21 : metric === 'humidity' ? 55 : 1200;
    const value = round2(base * (0.9 + 0.2 * u(1)));
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    switch (dataClass) {
      case 'rawReading':
        return { v: 1, deviceId, ts, seq, metrics: { [metric]: value, rssi: -40 - Math.round(50 * u(2)) } };
      case 'summary': {
        const spread = round2(base * 0.05 * u(2));
        const window = { windowStartMs: Math.max(0, minute - MINUTE_MS), windowMs: MINUTE_MS } as const;
        const stats = { count: 6 + Math.floor(54 * u(3)), min: round2(value - spread), max: round2(value + spread), mean: value, last: round2(value + spread * (u(4) - 0.5)) };
        return { v: 1, deviceId, metric, ...window, ...stats, stddev: round2(spread / 2), predictedCount: 0 };
      }
      case 'deviceState':
        return { v: 1, deviceId, ts, state: { battery_v: round2(3.3 + 0.9 * u(2)), rssi: -40 - Math.round(50 * u(3)), firmware: '1.4.2', online: true } };
      case 'alert': {
        const severity = SEVERITIES[Math.floor(u(3) * 3)]!;
        const source = u(2) < 0.7 ? 'model' : 'rule';
        return { v: 1, alertId: `a${this.gatewayIndex}-${seq}`, deviceId, metric, ts, source, kind: 'anomaly', severity, score: round2(3 + 5 * u(4)), threshold: 3, modelVersion: 'sim-1' };
      }
      case 'event':
        return { v: 1, deviceId, ts, type: 'door_open', severity: 'info', data: { durationS: Math.round(120 * u(2)) } };
      case 'usage':
        return { v: 1, periodStartMs: minute, periodMs: MINUTE_MS, meter: 'energy_wh', quantity: round2(50 * u(2)), deviceId };
      case 'audit':
        return { v: 1, ts, actor: 'outpost-sim', action: 'config.update', target: deviceId };
      case 'commandResult':
        return { v: 1, deviceId, commandId: `sim-${seq}`, status: 'ok' };
    }
  }
}
