import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, SYNC_PROTO_PATH } from '@outpost/protocols';

/** The loader options every side uses (docs/sync-protocol.md): camelCase fields, numbers for longs and enums. */
export const SYNC_LOADER_OPTIONS = { keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] } as const;

// What proto-loader hands us with those options.
export interface WireHlc {
  wallMs: number;
  logical: number;
}
export interface WireRecord {
  seq: number;
  dataClass: number;
  hlc: WireHlc | null;
  payload: Buffer;
}
export interface WireHello {
  protocolVersion: number;
  softwareVersion: string;
  wallMs: number;
  hlc: WireHlc | null;
  backlogRecords: number;
  backlogOldestMs: number;
  /** null when the gateway sent none (older gateways, or no power mode yet). */
  power: WirePowerStatus | null;
}
export interface WirePowerStatus {
  mode: string;
  simulated: boolean;
  sinceMs: number;
  source: string;
}
export interface WireCommandResult {
  commandId: string;
  status: string;
  body: Buffer;
}
export type GatewayMessage = (
  | { body: 'hello'; hello: WireHello }
  | { body: 'batch'; batch: { records: WireRecord[] } }
  | { body: 'commandResult'; commandResult: WireCommandResult }
  | { body: 'power'; power: WirePowerStatus }
  | { body?: undefined }
) & { /** Serialized size of the message, set by the hub's deserializer. */ wireBytes?: number };

export type HubMessage =
  | { welcome: { hubId: string; ackedSeq: number; hubWallMs: number; clockTrusted: boolean } }
  | { ack: { ackedSeq: number } }
  | { desiredState: { deviceId: string; version: number; config: Buffer } }
  | { command: { commandId: string; deviceId: string; name: string; args: Buffer; expiresAtMs: number } }
  | { error: { code: string; message: string; retryable: boolean } };

export interface EnrollRequest {
  token: string;
  name: string;
  softwareVersion: string;
  requestId: string;
}

/** Load the Sync service; the Stream request deserializer also records each message's size in bytes. */
export function loadSyncService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(SYNC_PROTO_PATH, { ...SYNC_LOADER_OPTIONS, includeDirs: [...SYNC_LOADER_OPTIONS.includeDirs] });
  const service = definition['outpost.sync.v1.Sync'] as grpc.ServiceDefinition;
  const stream = service.Stream!;
  const deserialize = stream.requestDeserialize;
  return {
    ...service,
    Stream: {
      ...stream,
      requestDeserialize: (bytes: Buffer) => Object.assign(deserialize(bytes) as object, { wireBytes: bytes.length }),
    },
  };
}
