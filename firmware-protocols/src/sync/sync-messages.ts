import { PROTO_ROOT } from './proto-path.js';

/**
 * The loader options every side of the sync stream uses (docs/sync-protocol.md): camelCase fields, 64-bit
 * integers and enums as numbers, every scalar field present, oneofs with a virtual `body` field.
 */
export const SYNC_LOADER_OPTIONS = Object.freeze({ keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true, includeDirs: Object.freeze([PROTO_ROOT]) });

/** SYNC_LOADER_OPTIONS as a fresh object in the mutable shape `@grpc/proto-loader`'s `loadSync` takes. */
export function syncLoaderOptions() {
  return { ...SYNC_LOADER_OPTIONS, includeDirs: [...SYNC_LOADER_OPTIONS.includeDirs] };
}

// The sync.proto messages as @grpc/proto-loader shapes them with those options: `bytes` are Buffers, and a
// nested message that was not set decodes as null (a sender may leave it out).

export interface HlcMessage {
  wallMs: number;
  logical: number;
}

export interface RecordMessage {
  seq: number;
  dataClass: number;
  hlc: HlcMessage | null;
  payload: Buffer;
}

/** The gateway's power mode for the hub (sync.proto PowerStatus). */
export interface PowerStatusMessage {
  mode: string;
  simulated: boolean;
  sinceMs: number;
  source: string;
}

export interface HelloMessage {
  protocolVersion: number;
  softwareVersion: string;
  wallMs: number;
  hlc: HlcMessage | null;
  backlogRecords: number;
  backlogOldestMs: number;
  /** Unset while the gateway has no power mode (and from older gateways). */
  power?: PowerStatusMessage | null;
}

export interface BatchMessage {
  records: RecordMessage[];
}

export interface CommandResultMessage {
  commandId: string;
  status: string;
  body: Buffer;
}

/** sync.proto FlReply: a gateway's answer to one federated-learning task, a JSON body or an error code. */
export interface FlReplyMessage {
  federationId: string;
  roundId: string;
  phase: string;
  body: Buffer;
  errorCode: string;
  errorMessage: string;
}

export interface WelcomeMessage {
  hubId: string;
  ackedSeq: number;
  hubWallMs: number;
  clockTrusted: boolean;
}

export interface AckMessage {
  ackedSeq: number;
}

export interface DesiredStateMessage {
  deviceId: string;
  version: number;
  config: Buffer;
}

export interface CommandMessage {
  commandId: string;
  deviceId: string;
  name: string;
  args: Buffer;
  expiresAtMs: number;
}

export interface ErrorMessage {
  code: string;
  message: string;
  retryable: boolean;
}

/** sync.proto FlTask: one phase of a federated-learning round. */
export interface FlTaskMessage {
  federationId: string;
  roundId: string;
  phase: string;
  body: Buffer;
  timeoutMs: number;
}

export interface EnrollRequest {
  token: string;
  name: string;
  softwareVersion: string;
  /** Empty: no retry of a lost response is possible. */
  requestId: string;
}

export interface EnrollResponse {
  gatewayId: string;
  credential: string;
  hubId: string;
}

interface GatewayMessageBodies {
  hello: HelloMessage;
  batch: BatchMessage;
  commandResult: CommandResultMessage;
  power: PowerStatusMessage;
  flReply: FlReplyMessage;
}

interface HubMessageBodies {
  welcome: WelcomeMessage;
  ack: AckMessage;
  desiredState: DesiredStateMessage;
  command: CommandMessage;
  error: ErrorMessage;
  flTask: FlTaskMessage;
}

/** To write: exactly one member of the oneof set. */
type WrittenOneof<B> = { [K in keyof B]: { [P in K]: B[K] } }[keyof B];
/**
 * As decoded: `body` names the member that is set. No `body` at all when none is (a member this side does
 * not know yet, from a newer peer).
 */
type DecodedOneof<B> = { [K in keyof B]: { body: K } & { [P in K]: B[K] } }[keyof B] | { body?: undefined };

/** gateway → hub on the sync stream, as the gateway writes it. */
export type GatewayMessage = WrittenOneof<GatewayMessageBodies>;
/** gateway → hub on the sync stream, as the hub reads it. */
export type DecodedGatewayMessage = DecodedOneof<GatewayMessageBodies>;
/** hub → gateway on the sync stream, as the hub writes it. */
export type HubMessage = WrittenOneof<HubMessageBodies>;
/** hub → gateway on the sync stream, as the gateway reads it. */
export type DecodedHubMessage = DecodedOneof<HubMessageBodies>;
