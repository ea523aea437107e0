import type { AedesOptions } from 'aedes';
import { deviceTopicPrefix, isLocalTopic, isUplinkKind, parseDeviceTopic } from '@outpost/protocols';
import { GatewayError } from '../errors.js';
import type { Ingest } from '../ingest/ingest.js';
import type { GatewayEvents } from '../observability/gateway-events.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Sessions } from './sessions.js';

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeSubscribe = NonNullable<AedesOptions['authorizeSubscribe']>;

export interface AuthorizeDeps {
  sessions: Sessions;
  ingest: Ingest;
  events: GatewayEvents;
  metrics: GatewayMetrics;
  maxThrottleMs: number;
  /** Local topics the gateway itself takes (alerts); true when handled, `done` once durable. */
  localIntake: (topic: string, payload: Buffer, done: (err: Error | null) => void) => boolean;
}

/**
 * The ACL and the entry of the ingest path. aedes writes a QoS 1 PUBACK only after this callback
 * returns, and stops reading a client's socket while its packets are pending here, so delaying the
 * callback both makes the ack durable and pauses a producer (rate limit, full write queue).
 */
export function createAuthorizers(deps: AuthorizeDeps) {
  const { sessions, ingest, events, metrics } = deps;

  const authorizePublish: AuthorizePublish = (client, packet, callback) => {
    const session = sessions.get(client);
    if (!session) {
      // Wills of vanished clients and anything without a session never reach the store.
      return callback(new GatewayError('GW_ERR_ACL', 'no session'));
    }
    if (session.kind === 'internal') {
      if (isLocalTopic(packet.topic)) {
        // The PUBACK waits for this callback: alerts are acked once they are committed.
        if (deps.localIntake(packet.topic, packet.payload as Buffer, (err) => callback(err))) return;
        return callback(null);
      }
      events.refused('E_TOPIC_NOT_ALLOWED', { deviceId: session.clientId, topic: packet.topic });
      return callback(new GatewayError('GW_ERR_ACL', `internal clients publish only below local/: ${packet.topic}`, { wireCode: 'E_TOPIC_NOT_ALLOWED' }));
    }
    const parsed = parseDeviceTopic(packet.topic);
    if (!parsed || parsed.deviceId !== session.deviceId || !isUplinkKind(parsed.kind)) {
      events.refused('E_TOPIC_NOT_ALLOWED', { deviceId: session.deviceId, topic: packet.topic });
      ingest.tellDevice(session.deviceId, 'E_TOPIC_NOT_ALLOWED', packet.topic, 'publish only to your own telemetry, events, state or command-results topic');
      return callback(new GatewayError('GW_ERR_ACL', `${session.deviceId} may not publish to ${packet.topic}`, { wireCode: 'E_TOPIC_NOT_ALLOWED' }));
    }
    // Device uplinks are data, not broker state: never retained.
    packet.retain = false;

    const now = performance.now();
    const waitMs = session.bucket.take(now);
    const accept = () =>
      ingest.handle({ deviceId: session.deviceId, kind: parsed.kind as 'telemetry', topic: packet.topic, payload: packet.payload as Buffer, dup: packet.dup }, (err) => callback(err));
    if (waitMs === 0) return accept();

    metrics.throttled.inc();
    if (waitMs > deps.maxThrottleMs) {
      events.refused('E_RATE_LIMITED', { deviceId: session.deviceId, detail: `would wait ${Math.round(waitMs)} ms; disconnecting` });
      ingest.tellDevice(session.deviceId, 'E_RATE_LIMITED', packet.topic, 'rate limit far exceeded; disconnected');
      return callback(new GatewayError('GW_ERR_RATE_LIMITED', session.deviceId, { wireCode: 'E_RATE_LIMITED' }));
    }
    events.refused('E_RATE_LIMITED', { deviceId: session.deviceId, detail: `throttled ${Math.round(waitMs)} ms` });
    setTimeout(accept, waitMs);
  };

  const authorizeSubscribe: AuthorizeSubscribe = (client, subscription, callback) => {
    const session = sessions.get(client);
    const topic = subscription.topic;
    if (session?.kind === 'internal') {
      if (isLocalTopic(topic)) return callback(null, subscription);
    } else if (session && topic.startsWith(deviceTopicPrefix(session.deviceId))) {
      return callback(null, subscription);
    }
    const who = session?.kind === 'device' ? session.deviceId : session?.clientId;
    events.refused('E_SUBSCRIBE_NOT_ALLOWED', { deviceId: who, topic });
    // Negate (SUBACK 0x80) rather than disconnect: the rest of the SUBSCRIBE can still succeed.
    callback(null, null);
  };

  return { authorizePublish, authorizeSubscribe };
}
