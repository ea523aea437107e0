import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type DecodedHubMessage, type EnrollRequest, type EnrollResponse, type GatewayMessage, SYNC_PROTO_PATH, syncLoaderOptions } from '@outpost/protocols';
import { readFileSync } from 'node:fs';

export type SyncStream = grpc.ClientDuplexStream<GatewayMessage, DecodedHubMessage>;

/** The Sync service client as @grpc/proto-loader builds it. */
export interface SyncClient extends grpc.Client {
  Enroll(request: EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response?: EnrollResponse) => void): grpc.ClientUnaryCall;
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): SyncStream;
}

let service: grpc.ServiceClientConstructor | undefined;

function syncService(): grpc.ServiceClientConstructor {
  if (service) return service;
  const definition = protoLoader.loadSync(SYNC_PROTO_PATH, syncLoaderOptions());
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { outpost: { sync: { v1: { Sync: grpc.ServiceClientConstructor } } } };
  service = loaded.outpost.sync.v1.Sync;
  return service;
}

/**
 * A client with its own channel, hence its own TCP connection: grpc-js shares subchannels between clients
 * of the same target unless told otherwise, and a real gateway has a connection of its own.
 * Keepalive as docs/sync-protocol.md recommends; grpc's own reconnect backoff kept short, since the
 * simulated gateway does its own jittered backoff.
 */
export function createSyncClient(hub: string): SyncClient {
  const Service = syncService();
  return new Service(hub, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.max_pings_without_data': 0,
    'grpc.initial_reconnect_backoff_ms': 1000,
    'grpc.max_reconnect_backoff_ms': 5000,
  }) as unknown as SyncClient;
}

/** Connect the client's channel: true once connected, false at the first failed attempt or after `timeoutMs`. */
export function waitForChannel(client: SyncClient, timeoutMs: number): Promise<boolean> {
  const channel = client.getChannel();
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      const state = channel.getConnectivityState(true);
      if (state === grpc.connectivityState.READY) return resolve(true);
      if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) return resolve(false);
      channel.watchConnectivityState(state, deadline, (err) => (err ? resolve(false) : check()));
    };
    check();
  });
}

/** The wire code at the start of a gRPC status's details (`E_…: text`), if any. */
export function wireCodeOf(details: string | undefined): string | null {
  return /^(E_[A-Z_]+)/.exec(details ?? '')?.[1] ?? null;
}

export const SIM_SOFTWARE_VERSION = `outpost-sim/${packageVersion()}`;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
