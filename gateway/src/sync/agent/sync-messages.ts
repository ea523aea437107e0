/** The sync.proto messages as @grpc/proto-loader shapes them (camelCase, longs as numbers, oneof `body`). */
export interface HlcMessage {
  wallMs: number;
  logical: number;
}

export interface RecordMessage {
  seq: number;
  dataClass: number;
  hlc: HlcMessage;
  payload: Buffer;
}

/** The gateway's power mode for the hub (sync.proto PowerStatus). */
export interface PowerStatusMessage {
  mode: string;
  simulated: boolean;
  sinceMs: number;
  source: string;
}

export type GatewayMessage =
  | {
      hello: {
        protocolVersion: number;
        softwareVersion: string;
        wallMs: number;
        hlc: HlcMessage;
        backlogRecords: number;
        backlogOldestMs: number;
        /** Unset while the gateway has no power mode. */
        power?: PowerStatusMessage;
      };
    }
  | { batch: { records: RecordMessage[] } }
  | { commandResult: { commandId: string; status: string; body: Buffer } }
  | { power: PowerStatusMessage };

export interface WelcomeMessage {
  hubId: string;
  ackedSeq: number;
  hubWallMs: number;
  clockTrusted: boolean;
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

export interface HubMessage {
  body?: 'welcome' | 'ack' | 'desiredState' | 'command' | 'error';
  welcome?: WelcomeMessage | null;
  ack?: { ackedSeq: number } | null;
  desiredState?: DesiredStateMessage | null;
  command?: CommandMessage | null;
  error?: ErrorMessage | null;
}
