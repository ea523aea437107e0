import { ProtocolError, decodeMessage, localTopics } from '@outpost/protocols';
import type { GatewayEvents } from '../../observability/gateway-events.js';
import type { Logger } from '../../observability/logger.js';
import type { StoreWriter } from '../../store/store-writer.js';

const MAX_ALERT_BYTES = 16 * 1024;

export type LocalIntake = (topic: string, payload: Buffer, done: (err: Error | null) => void) => boolean;

/**
 * Alerts from edge-runtime on `local/v1/alerts`, taken inside the broker's authorizePublish hook for
 * internal clients. That hook is the only point aedes waits on before it writes a QoS 1 PUBACK (it acks
 * before delivering to subscribers, broker.subscribe handlers included), so taking alerts here makes
 * the PUBACK mean "stored": each valid alert is written to `alerts` and the outbox (top priority) in one
 * transaction first. An invalid alert is dead-lettered, counted and acked: resending the same bytes
 * cannot help. Returns false for topics it does not take.
 */
export function createAlertsIntake(writer: StoreWriter, events: GatewayEvents, log: Logger): LocalIntake {
  const topic = localTopics.alerts();
  return (publishedTopic, payload, done) => {
    if (publishedTopic !== topic) return false;
    const receivedAt = Date.now();
    let alert;
    try {
      alert = decodeMessage('localAlert', payload, { maxBytes: MAX_ALERT_BYTES }).message;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      events.refused(err.code, { topic, detail: err.message });
      writer.write(
        { k: 'deadLetter', deviceId: null, topic, code: err.code, detail: err.message, payload: payload.subarray(0, 1024), payloadBytes: payload.byteLength, receivedAt },
        (writeErr) => done(writeErr),
      );
      return true;
    }
    writer.write({ k: 'alert', alertId: alert.alertId, deviceId: alert.deviceId, ts: alert.ts, receivedAt, severity: alert.severity, body: JSON.stringify(alert) }, (err) => {
      if (err) log.error({ err, alertId: alert.alertId }, 'alert not stored; the publisher gets no ack and resends');
      done(err);
    });
    return true;
  };
}
