import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../observability/logger.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';

/** The broker's internal-client convention (gateway/src/broker/sessions.ts): this username, a client id with this prefix. */
export const INTERNAL_USERNAME = '_internal';
export const RUNTIME_CLIENT_ID = '_internal.edge-runtime';

/**
 * Handles one message of a subscribed topic. The PUBACK goes out when the returned promise resolves, and
 * the client reads no further message before that: resolving late is how intake pauses. Rejecting is a
 * bug: it is logged and the message acknowledged anyway, so one bad message cannot stall the stream.
 */
export type TopicHandler = (payload: Buffer) => Promise<void>;

export interface RuntimeMqttOptions {
  url: string;
  /** The internal credential; called again before every reconnect, so a rotated secret file is picked up. */
  readSecret: () => string;
  cleanSession: boolean;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Subscribed at QoS 1 on every connect. */
  handlers: ReadonlyMap<string, TopicHandler>;
  onConnectionChange?: (connected: boolean) => void;
}

/**
 * The connection to the gateway's broker, a small state machine:
 *   connecting → connected → (connection lost) → waiting (backoff) → connecting → …   and, from any state, → closed.
 * The backoff doubles from reconnectMinMs to reconnectMaxMs and resets on a successful connect; a refused
 * CONNACK (wrong secret) is retried the same way. QoS 1 publishes made while disconnected wait in the
 * client's outgoing store and are sent after the reconnect; they resolve on PUBACK.
 */
export class RuntimeMqtt {
  private readonly client: MqttClient;
  private delayMs: number;
  private closing = false;

  constructor(
    private readonly options: RuntimeMqttOptions,
    private readonly events: RuntimeEvents,
    private readonly log: Logger,
  ) {
    this.delayMs = options.reconnectMinMs;
    this.client = connect(options.url, {
      clientId: RUNTIME_CLIENT_ID,
      username: INTERNAL_USERNAME,
      password: options.readSecret(),
      clean: options.cleanSession,
      protocolVersion: 4,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: options.reconnectMinMs,
      reconnectOnConnackError: true,
      resubscribe: false,
      manualConnect: true,
    });
    this.client.handleMessage = (packet, done) => this.dispatch(packet, done);
    this.client.on('connect', () => {
      this.delayMs = options.reconnectMinMs;
      this.client.options.reconnectPeriod = this.delayMs;
      this.events.mqttConnected(options.url);
      const topics = Object.fromEntries([...options.handlers.keys()].map((t) => [t, { qos: 1 as const }]));
      if (Object.keys(topics).length > 0) {
        this.client.subscribe(topics, (err) => {
          if (err && !this.closing) this.log.error({ err }, 'subscribe failed; reconnecting');
          if (err && !this.closing) this.client.stream.destroy();
        });
      }
      options.onConnectionChange?.(true);
    });
    // mqtt.js sets the next attempt's timer from reconnectPeriod when a connection closes, and emits
    // 'reconnect' right before each attempt: the place to grow the delay and refresh the password.
    this.client.on('reconnect', () => {
      this.delayMs = Math.min(this.delayMs * 2, options.reconnectMaxMs);
      this.client.options.reconnectPeriod = this.delayMs;
      try {
        this.client.options.password = options.readSecret();
      } catch (err) {
        this.log.warn({ err }, 'cannot re-read the internal secret; trying the previous one');
      }
    });
    this.client.on('close', () => {
      if (this.closing) return;
      this.events.mqttDisconnected('connection closed');
      options.onConnectionChange?.(false);
    });
    this.client.on('error', (err) => {
      if (!this.closing) this.events.mqttDisconnected(err.message);
    });
  }

  connect(): void {
    this.client.connect();
  }

  get connected(): boolean {
    return this.client.connected;
  }

  private dispatch(packet: IPublishPacket, done: (err?: Error) => void): void {
    const handler = this.options.handlers.get(packet.topic);
    if (!handler) return done();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    handler(payload).then(
      () => done(),
      (err: unknown) => {
        this.log.error({ err, topic: packet.topic }, 'message handler failed; acknowledged anyway');
        done();
      },
    );
  }

  /** Publish at QoS 1; resolves on PUBACK (after a reconnect if need be), rejects if the client is closed first. */
  publish(topic: string, payload: Buffer, options: { retain?: boolean } = {}): Promise<void> {
    return this.client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false }).then(() => {});
  }

  /** Send DISCONNECT after in-flight publishes are acknowledged (at most `timeoutMs`), then close the socket. */
  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.client.end(true, {}, () => resolve()), timeoutMs);
      this.client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
