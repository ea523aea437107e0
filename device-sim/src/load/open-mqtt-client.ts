import { createConnection } from 'node:net';
import { connect as connectMqtt, type IClientOptions, MqttClient } from 'mqtt';
import type { DeviceSpec, WorkerSettings } from './worker-protocol.js';

/** An MQTT 3.1.1 client for one device: username = id and password = secret when it has one, clientId = id. */
export function openMqttClient(spec: DeviceSpec, s: WorkerSettings): MqttClient {
  const options: IClientOptions = {
    clientId: spec.id,
    username: spec.secret === undefined ? undefined : spec.id,
    password: spec.secret,
    protocolVersion: 4,
    clean: true,
    keepalive: s.keepaliveSec,
    connectTimeout: s.connectTimeoutMs,
    reconnectPeriod: s.reconnectPeriodMs,
  };
  const url = new URL(s.url);
  if (url.protocol !== 'mqtt:' && url.protocol !== 'tcp:') return connectMqtt(s.url, options);
  // MQTT.js does not pass `localAddress` to the socket, so plain TCP gets its own stream builder.
  // No Nagle: small publishes would otherwise wait on delayed ACKs and distort publish→ack latency.
  const host = url.hostname;
  const port = Number(url.port || 1883);
  return new MqttClient(() => createConnection({ host, port, localAddress: spec.localAddress, noDelay: true }), options);
}
