import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type DecodedHubMessage, type EnrollRequest, type EnrollResponse, type GatewayMessage, SYNC_PROTO_PATH, syncLoaderOptions } from '@outpost/protocols';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { GatewayConfig } from '../../config/config-schema.js';
import { GatewayError } from '../../errors.js';

/** The Sync service client as @grpc/proto-loader builds it. */
export interface SyncServiceClient extends grpc.Client {
  Enroll(request: EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response?: EnrollResponse) => void): grpc.ClientUnaryCall;
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<GatewayMessage, DecodedHubMessage>;
}

let cachedService: grpc.ServiceClientConstructor | null = null;

function syncService(): grpc.ServiceClientConstructor {
  if (cachedService) return cachedService;
  const definition = protoLoader.loadSync(SYNC_PROTO_PATH, syncLoaderOptions());
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { outpost: { sync: { v1: { Sync: grpc.ServiceClientConstructor } } } };
  cachedService = loaded.outpost.sync.v1.Sync;
  return cachedService;
}

/** `AB:CD:…` or `abcd…` → `ABCD…`, the form compared against the peer certificate. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/:/g, '').toUpperCase();
}

function channelCredentials(sync: GatewayConfig['sync']): grpc.ChannelCredentials {
  const tls = sync.tls || sync.tlsCaFile !== undefined || sync.tlsPinSha256 !== undefined;
  if (!tls) return grpc.credentials.createInsecure();
  let ca: Buffer | null = null;
  if (sync.tlsCaFile) {
    try {
      ca = readFileSync(sync.tlsCaFile);
      new X509Certificate(ca); // fail at startup, with the file named, rather than at every connect
    } catch (cause) {
      throw new GatewayError('GW_ERR_TLS', `sync.tlsCaFile ${sync.tlsCaFile}: ${(cause as Error).message}`, { cause });
    }
  }
  const pin = sync.tlsPinSha256 ? normalizeFingerprint(sync.tlsPinSha256) : null;
  return grpc.credentials.createSsl(ca, null, null, {
    checkServerIdentity: (host: string, cert: PeerCertificate) => {
      const hostError = checkServerIdentity(host, cert);
      if (hostError) return hostError;
      if (pin && normalizeFingerprint(cert.fingerprint256 ?? '') !== pin) {
        return new Error(`hub certificate fingerprint ${cert.fingerprint256} does not match sync.tlsPinSha256`);
      }
      return undefined;
    },
  });
}

/** A gRPC client for the hub: keepalive on, gzip for everything it sends. */
export function createHubClient(sync: GatewayConfig['sync'] & { hubUrl: string }, maxMessageBytes: number): SyncServiceClient {
  const Service = syncService();
  return new Service(sync.hubUrl, channelCredentials(sync), {
    'grpc.keepalive_time_ms': sync.keepaliveMs,
    'grpc.keepalive_timeout_ms': Math.max(5000, Math.floor(sync.keepaliveMs / 2)),
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.max_pings_without_data': 0,
    'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.max_receive_message_length': maxMessageBytes,
    // Reconnects are ours (jittered backoff); grpc's own would hide failures from the state machine, and
    // must not outlast ours either: after a long outage it would hold a reconnect back by up to its maximum.
    'grpc.initial_reconnect_backoff_ms': Math.min(1000, sync.backoffMaxMs),
    'grpc.max_reconnect_backoff_ms': Math.min(5000, sync.backoffMaxMs),
  }) as unknown as SyncServiceClient;
}
