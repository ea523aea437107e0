import { status } from '@grpc/grpc-js';
import type { FlTaskMessage } from '@outpost/protocols';
import type { HubEvents } from '../observability/hub-events.js';
import type { FleetStore } from '../store/hub-store.js';
import type { StreamSession } from './stream-session.js';

/** The live streams, one per gateway: a new stream replaces the old one; revocation closes it at once. */
export class SessionRegistry {
  readonly #sessions = new Map<string, StreamSession>();
  readonly #disconnectHandlers: ((gatewayId: string) => void)[] = [];

  constructor(
    private readonly fleet: FleetStore,
    private readonly events: HubEvents,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  isConnected(gatewayId: string): boolean {
    return this.#sessions.has(gatewayId);
  }

  attach(session: StreamSession): void {
    const previous = this.#sessions.get(session.gatewayId);
    this.#sessions.set(session.gatewayId, session);
    previous?.close(status.ABORTED, null, 'replaced by a newer stream');
    session.onClosed(() => {
      if (this.#sessions.get(session.gatewayId) !== session) return;
      this.#sessions.delete(session.gatewayId);
      this.fleet.setConnected(session.gatewayId, false);
      this.events.connectedGateways(this.#sessions.size);
      for (const handler of this.#disconnectHandlers) handler(session.gatewayId);
    });
    this.fleet.setConnected(session.gatewayId, true);
    this.events.connectedGateways(this.#sessions.size);
  }

  /** Close a revoked gateway's stream; true when one was live. */
  revoked(gatewayId: string): boolean {
    const session = this.#sessions.get(gatewayId);
    session?.close(status.PERMISSION_DENIED, 'E_SYNC_REVOKED', 'this gateway was revoked by the hub');
    return session !== undefined;
  }

  /** Commands or desired state changed for this gateway. */
  kick(gatewayId: string): void {
    this.#sessions.get(gatewayId)?.kick();
  }

  /** Ids of the gateways with a live stream. */
  connectedIds(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Send a federated-learning task on the gateway's live stream; false when it has none or it is backed up. */
  sendFlTask(gatewayId: string, task: FlTaskMessage): boolean {
    return this.#sessions.get(gatewayId)?.sendFlTask(task) ?? false;
  }

  /** Called with the gateway id whenever a gateway's live stream closes. */
  onDisconnected(handler: (gatewayId: string) => void): void {
    this.#disconnectHandlers.push(handler);
  }

  closeAll(): void {
    for (const session of [...this.#sessions.values()]) session.close(status.UNAVAILABLE, null, 'hub shutting down');
  }
}
