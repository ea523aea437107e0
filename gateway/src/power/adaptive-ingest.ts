import { AdaptiveReceiver, type AdaptivePolicy, type ReceiveOutcome, type ReportingPolicy, adaptivePolicyOf } from '@outpost/protocols';
import type { WriteRow } from '../store/write-rows.js';

export interface AdaptiveIngestDeps {
  /** The device and the gateway may disagree: publish its config again so it starts a new epoch. */
  resync(deviceId: string): void;
  onFilled(deviceId: string, rows: number): void;
  onDesync(deviceId: string, seq: number | null, lastSeq: number | null, reason: string): void;
  now?: () => number;
}

interface DeviceStream {
  policy: AdaptivePolicy;
  receiver: AdaptiveReceiver;
  configVersion: number;
  /** The device's `ts` of the last transmission (the filled samples are spaced from it). */
  lastTs: number | null;
  lastReceivedAt: number | null;
  transmissions: number;
  filled: number;
  desyncs: number;
  /** A resync was asked for and the device has not started a new epoch yet: do not ask again. */
  resyncAsked: boolean;
}

export interface AdaptiveStatus {
  /** Filling: the gateway and the device share an epoch. */
  synced: boolean;
  configVersion: number;
  lastSeq: number | null;
  lastTransmissionAt: number | null;
  /** No transmission for longer than maxSilenceMs (plus one interval): the device is late. Nothing is filled ahead. */
  late: boolean;
  transmissions: number;
  filled: number;
  desyncs: number;
}

/**
 * The gateway side of adaptive reporting: per device with an adaptive policy, the same predictor as the
 * device over the reconstructed stream. On each transmission it returns the predicted rows of the skipped
 * sample indices (ts = previous ts + k × intervalMs, marked predicted), to be committed in one
 * transaction with the real reading. Nothing is filled before the next transmission arrives: a silent
 * device is shown as late, never extrapolated into the future.
 *
 * Memory: one stream per device whose policy in force is adaptive (each bounded by the predictor bound).
 * After a restart every stream waits for seq 0; the device configs are published again with a new
 * configVersion at start, which makes devices start a new epoch.
 */
export function createAdaptiveIngest(deps: AdaptiveIngestDeps) {
  const now = deps.now ?? Date.now;
  const streams = new Map<string, DeviceStream>();

  function desync(deviceId: string, s: DeviceStream, seq: number | null, reason: string): void {
    const lastSeq = s.receiver.lastSeq;
    s.receiver.desync();
    s.desyncs++;
    deps.onDesync(deviceId, seq, lastSeq, reason);
    if (s.resyncAsked) return;
    s.resyncAsked = true;
    deps.resync(deviceId);
  }

  return {
    /** The reporting policy in force changed or was published again: a new epoch will start at seq 0. */
    onReporting(deviceId: string, reporting: ReportingPolicy | undefined, configVersion: number): void {
      const policy = adaptivePolicyOf(reporting);
      if (!policy) return void streams.delete(deviceId);
      const old = streams.get(deviceId);
      streams.set(deviceId, {
        policy,
        receiver: new AdaptiveReceiver(policy),
        configVersion,
        lastTs: null,
        lastReceivedAt: old?.lastReceivedAt ?? null,
        transmissions: old?.transmissions ?? 0,
        filled: old?.filled ?? 0,
        desyncs: old?.desyncs ?? 0,
        resyncAsked: false,
      });
    },
    /**
     * A telemetry message passed validation and is about to be written. Returns the predicted rows to write
     * before it in the same transaction, or null when the device does not report adaptively.
     */
    rowsFor(deviceId: string, seq: number | null, ts: number, receivedAt: number, metrics: Record<string, number>): WriteRow[] | null {
      const s = streams.get(deviceId);
      if (!s) return null;
      s.transmissions++;
      s.lastReceivedAt = receivedAt;
      if (seq === null) {
        desync(deviceId, s, null, 'telemetry without seq');
        return [];
      }
      const result = s.receiver.receive(seq, metrics);
      const outcome: ReceiveOutcome = result.outcome;
      if (outcome === 'desync') {
        desync(deviceId, s, seq, 'seq out of sequence');
        return [];
      }
      if (outcome === 'epoch-start') s.resyncAsked = false;
      const previousTs = s.lastTs;
      if (outcome !== 'unsynced' && outcome !== 'duplicate') s.lastTs = ts;
      if (result.filled.length === 0 || previousTs === null) return [];
      const rows: WriteRow[] = result.filled.map((f) => ({
        k: 'reading',
        deviceId,
        ts: previousTs + f.k * s.policy.intervalMs,
        receivedAt,
        seq: f.seq,
        metrics: JSON.stringify(f.metrics),
        predicted: true,
      }));
      s.filled += rows.length;
      deps.onFilled(deviceId, rows.length);
      return rows;
    },
    /** The write of a transmission failed: the device will resend it, but the stream has moved on. */
    writeFailed(deviceId: string, seq: number | null): void {
      const s = streams.get(deviceId);
      if (s) desync(deviceId, s, seq, 'store write failed');
    },
    status(deviceId: string): AdaptiveStatus | null {
      const s = streams.get(deviceId);
      if (!s) return null;
      const late = s.lastReceivedAt !== null && now() - s.lastReceivedAt > s.policy.maxSilenceMs + s.policy.intervalMs;
      return {
        synced: s.receiver.synced,
        configVersion: s.configVersion,
        lastSeq: s.receiver.lastSeq,
        lastTransmissionAt: s.lastReceivedAt,
        late,
        transmissions: s.transmissions,
        filled: s.filled,
        desyncs: s.desyncs,
      };
    },
    get devices(): number {
      return streams.size;
    },
  };
}

export type AdaptiveIngest = ReturnType<typeof createAdaptiveIngest>;
