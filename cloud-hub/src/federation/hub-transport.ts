import type { FleetStore } from '../store/hub-store.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import type { FlTransport } from './round-runner.js';

/** The coordinator's view of the fleet: live streams, the power mode each gateway last reported, and sending. */
export function createHubTransport(registry: SessionRegistry, fleet: FleetStore): FlTransport {
  return {
    connected: () =>
      registry.connectedIds().map((gatewayId) => {
        const g = fleet.get(gatewayId);
        // A gateway not (or no longer) in the registry belongs to no tenant: no federation selects it.
        return { gatewayId, powerMode: g && g.revokedAt === null ? g.powerMode : null, tenantId: g?.tenantId ?? '' };
      }),
    send: (gatewayId, task) => registry.sendFlTask(gatewayId, task),
  };
}
