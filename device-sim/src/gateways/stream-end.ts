import { status as grpcStatus, type StatusObject } from '@grpc/grpc-js';
import { wireCodeOf } from './sync-client.js';

/**
 * What a simulated gateway does when its stream ends (the table "Error codes and what the gateway does" of
 * docs/sync-protocol.md): reconnect with backoff, reconnect at once, or stop for good (`refused`: the
 * credential is unknown or revoked; `failed`: the protocol version is refused).
 */
export interface StreamEnd {
  next: 'backoff' | 'now' | 'refused' | 'failed' | 'replaced';
  /** Wire code, or the gRPC status name when there is none. */
  code: string;
  reason: string;
  tooLarge: boolean;
}

export function classifyStreamEnd(status: Pick<StatusObject, 'code' | 'details'>): StreamEnd {
  const wire = wireCodeOf(status.details);
  const code = wire ?? (status.code === grpcStatus.OK ? 'STREAM_ENDED' : (grpcStatus[status.code] ?? String(status.code)));
  const reason = `${grpcStatus[status.code] ?? status.code}: ${status.details || 'no details'}`;
  const end = (next: StreamEnd['next'], tooLarge = false): StreamEnd => ({ next, code, reason, tooLarge });
  if (wire === 'E_SYNC_UNAUTHENTICATED' || wire === 'E_SYNC_REVOKED' || status.code === grpcStatus.UNAUTHENTICATED || status.code === grpcStatus.PERMISSION_DENIED) return end('refused');
  if (wire === 'E_SYNC_PROTOCOL_VERSION' || status.code === grpcStatus.FAILED_PRECONDITION) return end('failed');
  if (wire === 'E_SYNC_BATCH_TOO_LARGE' || status.code === grpcStatus.RESOURCE_EXHAUSTED) return end('now', true);
  if (wire === 'E_SYNC_SEQUENCE') return end('now');
  if (status.code === grpcStatus.ABORTED && /replaced by a newer stream/.test(status.details)) return end('replaced');
  return end('backoff');
}

/** Full-jitter backoff bound: min(30 s, 500 ms × 2^attempt); an immediate reconnect waits at most 500 ms. */
export function reconnectDelayMs(attempt: number, now: boolean, random: () => number = Math.random): number {
  const bound = now ? 500 : Math.min(30_000, 500 * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * bound);
}
