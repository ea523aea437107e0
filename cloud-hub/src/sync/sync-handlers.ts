import { type Metadata, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import type { EnrollRequest, HubMessage } from '@outpost/protocols';
import type { HubEvents } from '../observability/hub-events.js';
import type { HubStore } from '../store/hub-store.js';
import { wireStatus } from './grpc-status.js';
import type { SessionRegistry } from './session-registry.js';
import { type SessionDeps, StreamSession } from './stream-session.js';
import type { SizedGatewayMessage } from './sync-proto.js';

const MAX_NAME = 128;

function bearer(metadata: Metadata): string | null {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string' || !value.startsWith('Bearer ')) return null;
  return value.slice(7).trim();
}

/** The Sync service's two handlers: Enroll (token → credential) and Stream (one session per call). */
export function createSyncHandlers(deps: SessionDeps & { registry: SessionRegistry; events: HubEvents; store: HubStore }) {
  const { store, events, registry } = deps;

  return {
    Enroll(call: ServerUnaryCall<EnrollRequest, unknown>, callback: sendUnaryData<unknown>): void {
      const { token, name, softwareVersion, requestId } = call.request;
      let enrolled: { gatewayId: string; credential: string } | null = null;
      try {
        const gatewayName = (name || 'gateway').slice(0, MAX_NAME);
        enrolled = token ? store.enrollment.enroll(token, { name: gatewayName, softwareVersion: softwareVersion.slice(0, MAX_NAME), requestId: requestId.slice(0, MAX_NAME) }, deps.now()) : null;
        if (enrolled) events.enrolled(enrolled.gatewayId, gatewayName);
      } catch (err) {
        deps.logger.error({ err }, 'enrollment failed');
        return callback(wireStatus(status.UNAVAILABLE, null, 'the hub could not store the enrollment; retry'));
      }
      if (!enrolled) {
        events.enrollRefused(call.getPeer());
        return callback(wireStatus(status.PERMISSION_DENIED, 'E_ENROLL_TOKEN'));
      }
      callback(null, { gatewayId: enrolled.gatewayId, credential: enrolled.credential, hubId: store.hubId });
    },

    Stream(call: ServerDuplexStream<SizedGatewayMessage, HubMessage>): void {
      const credential = bearer(call.metadata);
      const auth = credential ? store.enrollment.authenticate(credential) : null;
      if (!auth) {
        events.streamRefused('E_SYNC_UNAUTHENTICATED', { peer: call.getPeer() });
        call.emit('error', wireStatus(status.UNAUTHENTICATED, 'E_SYNC_UNAUTHENTICATED', credential ? 'unknown gateway credential' : 'send authorization: Bearer <gateway credential>'));
        return;
      }
      if (auth.revoked) {
        events.streamRefused('E_SYNC_REVOKED', { gatewayId: auth.gatewayId, peer: call.getPeer() });
        call.emit('error', wireStatus(status.PERMISSION_DENIED, 'E_SYNC_REVOKED'));
        return;
      }
      registry.attach(new StreamSession(auth.gatewayId, call, deps));
    },
  };
}
