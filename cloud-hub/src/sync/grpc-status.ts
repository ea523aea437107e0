import { Metadata, type ServiceError, type StatusObject, type status } from '@grpc/grpc-js';
import { WIRE_ERRORS, type WireErrorCode } from '@outpost/protocols';

/** A gRPC status whose details start with the wire code, as docs/sync-protocol.md promises. */
export function wireStatus(code: status, wireCode: WireErrorCode | null, detail?: string): Partial<StatusObject> & ServiceError {
  const text = wireCode ? `${wireCode}: ${detail ?? WIRE_ERRORS[wireCode].text}` : (detail ?? '');
  const err = Object.assign(new Error(text), { code, details: text, metadata: new Metadata() });
  return err;
}
