import { Aedes, type Client } from 'aedes';
import type { GatewayConfig } from '../config/config-schema.js';
import type { Ingest } from '../ingest/ingest.js';
import type { GatewayEvents } from '../observability/gateway-events.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { DeviceRegistry } from '../store/device-registry.js';
import { createAuthenticate } from './authenticate.js';
import { createAuthorizers } from './authorize.js';
import { createConnectionGuard } from './connection-guard.js';
import { type BoundListeners, openListeners } from './listeners.js';
import { Sessions } from './sessions.js';

const REGISTRY_POLL_MS = 250;
const LAST_SEEN_FLUSH_MS = 5000;

export interface BrokerDeps {
  config: GatewayConfig;
  registry: DeviceRegistry;
  events: GatewayEvents;
  metrics: GatewayMetrics;
  logger: Logger;
  internalSecret: string;
  /** Set after construction: ingest needs the broker to answer devices, the broker needs ingest. */
  ingest: () => Ingest;
  /** Local topics the gateway takes itself (alerts), set after construction like ingest. */
  localIntake?: () => ((topic: string, payload: Buffer, done: (err: Error | null) => void) => boolean) | null;
}

/**
 * The embedded broker: aedes with Outpost's authentication, ACL, limits and durable ingest hooks.
 * It watches the device registry so a revocation made anywhere (API or CLI in another process)
 * disconnects the device within REGISTRY_POLL_MS.
 */
export async function createBroker(deps: BrokerDeps) {
  const { config, registry, events, logger } = deps;
  const log = logger.child({ module: 'broker' });
  const sessions = new Sessions();
  const guard = createConnectionGuard(config.limits, events);
  const rate = { perSec: config.limits.deviceMsgsPerSec, burst: config.limits.deviceBurst };
  const auth = createAuthenticate({ registry, sessions, guard, events, internalSecret: deps.internalSecret, rate });
  const lazyIngest = {
    handle: (...args: Parameters<Ingest['handle']>) => deps.ingest().handle(...args),
    tellDevice: (...args: Parameters<Ingest['tellDevice']>) => deps.ingest().tellDevice(...args),
  };
  const localIntake = (topic: string, payload: Buffer, done: (err: Error | null) => void) => deps.localIntake?.()?.(topic, payload, done) ?? false;
  const authz = createAuthorizers({ sessions, ingest: lazyIngest, events, metrics: deps.metrics, maxThrottleMs: config.limits.maxThrottleMs, localIntake });

  const broker = await Aedes.createBroker({
    authenticate: auth.authenticate,
    authorizePublish: authz.authorizePublish,
    authorizeSubscribe: authz.authorizeSubscribe,
    heartbeatInterval: 60_000,
  });

  const lastSeen = new Map<string, number>();
  const devices = new Map<string, Client>();
  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (session?.kind === 'device') {
      devices.set(session.deviceId, client);
      lastSeen.set(session.deviceId, Date.now());
      events.deviceConnected(session.deviceId, session.address);
    } else if (session?.kind === 'internal') events.internalConnected(session.clientId);
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (session?.kind === 'device') {
      if (devices.get(session.deviceId) === client) devices.delete(session.deviceId);
      lastSeen.set(session.deviceId, Date.now());
      events.deviceDisconnected(session.deviceId);
    } else if (session?.kind === 'internal') events.internalDisconnected(session.clientId);
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));
  broker.on('connectionError', (client, err) => log.debug({ clientId: client.id, err }, 'connection error'));

  function disconnectRevoked(): void {
    for (const [id, client] of devices) {
      const creds = registry.credentials(id);
      if (!creds || creds.revoked) {
        client.close();
        events.deviceRevoked(id, true);
      }
    }
  }

  let registryVersion = registry.version();
  const registryTimer = setInterval(() => {
    const now = registry.version();
    if (now === registryVersion) return;
    registryVersion = now;
    auth.forget();
    disconnectRevoked();
  }, REGISTRY_POLL_MS);

  const flushLastSeen = () => {
    const now = Date.now();
    for (const id of devices.keys()) lastSeen.set(id, now);
    if (lastSeen.size === 0) return;
    registry.recordSeen(lastSeen);
    lastSeen.clear();
  };
  const lastSeenTimer = setInterval(flushLastSeen, LAST_SEEN_FLUSH_MS);

  let listeners: BoundListeners | null = null;

  return {
    broker,
    async listen(): Promise<BoundListeners> {
      listeners = await openListeners(broker, guard, config.mqtt);
      return listeners;
    },
    /** Publish to a device, QoS 0: errors and notices that must not hold anything up. */
    sendToDevice(topic: string, payload: Buffer): void {
      broker.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => {});
    },
    /** Revocations made through this process take effect at once. */
    revoked(): void {
      auth.forget();
      registryVersion = registry.version();
      disconnectRevoked();
    },
    isConnected(deviceId: string): boolean {
      return devices.has(deviceId);
    },
    connectedDevices(): number {
      return devices.size;
    },
    async close(): Promise<void> {
      clearInterval(registryTimer);
      clearInterval(lastSeenTimer);
      await listeners?.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      flushLastSeen();
    },
  };
}

export type GatewayBroker = Awaited<ReturnType<typeof createBroker>>;
