import type { WriteRow } from '../store/write-rows.js';

export type LiveMessage =
  | { type: 'reading'; deviceId: string; ts: number; receivedAt: number; seq: number | null; metrics: Record<string, number>; predicted?: true }
  | { type: 'alert'; alertId: string; deviceId: string; ts: number; severity: string };

type Listener = (message: LiveMessage) => void;

const RATE_WINDOW_S = 10;

/**
 * Committed rows fanned out to live UI sockets, per device (readings) and for everyone (alerts), plus a
 * messages-per-second rate over the last 10 s. Fed by the store writer's onCommit: the chart shows only
 * what is durable.
 */
export function createLiveFeed() {
  const byDevice = new Map<string, Set<Listener>>();
  const everyone = new Set<Listener>();
  const buckets = new Map<number, number>();

  function count(rows: number, nowS: number): void {
    buckets.set(nowS, (buckets.get(nowS) ?? 0) + rows);
    for (const s of buckets.keys()) if (s <= nowS - RATE_WINDOW_S) buckets.delete(s);
  }

  return {
    onCommit(rows: readonly WriteRow[]): void {
      let messages = 0;
      for (const row of rows) {
        if ((row.k === 'reading' && !row.predicted) || row.k === 'event' || row.k === 'state' || row.k === 'commandResult') messages++;
        if (row.k === 'reading') {
          const listeners = byDevice.get(row.deviceId);
          if (!listeners) continue;
          const message: LiveMessage = {
            type: 'reading',
            deviceId: row.deviceId,
            ts: row.ts,
            receivedAt: row.receivedAt,
            seq: row.seq,
            metrics: JSON.parse(row.metrics) as Record<string, number>,
            ...(row.predicted ? { predicted: true as const } : {}),
          };
          for (const l of listeners) l(message);
        } else if (row.k === 'alert') {
          const message: LiveMessage = { type: 'alert', alertId: row.alertId, deviceId: row.deviceId, ts: row.ts, severity: row.severity };
          for (const l of everyone) l(message);
        }
      }
      if (messages > 0) count(messages, Math.floor(Date.now() / 1000));
    },
    /** Listen to one device's readings (and every alert). Returns the unsubscribe function. */
    subscribe(deviceId: string | null, listener: Listener): () => void {
      everyone.add(listener);
      if (deviceId) {
        const set = byDevice.get(deviceId) ?? new Set();
        set.add(listener);
        byDevice.set(deviceId, set);
      }
      return () => {
        everyone.delete(listener);
        if (!deviceId) return;
        const set = byDevice.get(deviceId);
        set?.delete(listener);
        if (set?.size === 0) byDevice.delete(deviceId);
      };
    },
    /** Device messages committed per second, averaged over the last 10 full seconds. */
    messagesPerSec(now = Date.now()): number {
      const nowS = Math.floor(now / 1000);
      let total = 0;
      for (const [s, n] of buckets) if (s < nowS && s >= nowS - RATE_WINDOW_S) total += n;
      return total / RATE_WINDOW_S;
    },
    get listeners(): number {
      return everyone.size;
    },
  };
}

export type LiveFeed = ReturnType<typeof createLiveFeed>;
