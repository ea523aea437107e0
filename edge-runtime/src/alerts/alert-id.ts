import { createHash } from 'node:crypto';

/**
 * A deterministic alert id: the same reading raising the same kind of alert gives the same id, so when the
 * gateway redelivers a batch (no PUBACK reached it before a restart) the alert it stores again is the same
 * row (the gateway keeps the first copy of an id).
 */
export function alertIdFor(source: string, kind: string, deviceId: string, readingId: number, ts: number): string {
  return createHash('sha256').update(`${source}\u0000${kind}\u0000${deviceId}\u0000${readingId}\u0000${ts}`).digest('hex').slice(0, 32);
}
