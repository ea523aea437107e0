import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type DecodedGatewayMessage, SYNC_PROTO_PATH, syncLoaderOptions } from '@outpost/protocols';

/** A gateway's message as the hub reads it, with its serialized size set by the hub's deserializer. */
export type SizedGatewayMessage = DecodedGatewayMessage & { wireBytes?: number };

/** Load the Sync service; the Stream request deserializer also records each message's size in bytes. */
export function loadSyncService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(SYNC_PROTO_PATH, syncLoaderOptions());
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
