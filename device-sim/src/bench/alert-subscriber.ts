import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeMessage, type LocalAlert, localTopics } from '@outpost/protocols';
import { connect as connectMqtt, type MqttClient } from 'mqtt';
import { SimError } from '../errors.js';

/** An alert as it reached the subscriber, with `performance.now()` at arrival. */
export interface ArrivedAlert {
  alert: LocalAlert;
  atMs: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Sees alerts as the gateway receives them: an internal MQTT client (username `_internal`, the secret from
 * `<gatewayDataDir>/internal-secret`) subscribed to `local/v1/alerts`. The gateway stores an alert before it
 * acknowledges and forwards it, so arrival here means "stored". Keeps at most `maxAlerts`; the rest are counted.
 */
export class AlertSubscriber {
  readonly arrived: ArrivedAlert[] = [];
  dropped = 0;
  undecodable = 0;

  private constructor(
    private readonly client: MqttClient,
    private readonly maxAlerts: number,
  ) {
    client.on('message', (topic, payload) => {
      const atMs = performance.now();
      if (topic !== localTopics.alerts()) return;
      let alert: LocalAlert;
      try {
        alert = decodeMessage('localAlert', payload).message;
      } catch {
        this.undecodable++;
        return;
      }
      if (this.arrived.length >= this.maxAlerts) this.dropped++;
      else this.arrived.push({ alert, atMs });
    });
  }

  static async open(url: string, gatewayDataDir: string, options: { clientId?: string; maxAlerts: number }): Promise<AlertSubscriber> {
    const password = readFileSync(join(gatewayDataDir, 'internal-secret'), 'utf8').trim();
    const client = connectMqtt(url, { clientId: options.clientId ?? '_internal.bench', username: '_internal', password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: CONNECT_TIMEOUT_MS });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      });
      const granted = await client.subscribeAsync(localTopics.alerts(), { qos: 1 });
      if (granted.some((g) => g.qos === 128)) throw new Error(`SUBACK refused ${localTopics.alerts()}`);
    } catch (err) {
      client.end(true);
      throw new SimError('SIM_ERR_BENCH', `subscribing to the gateway's alerts as an internal client: ${(err as Error).message}`, { cause: err });
    }
    return new AlertSubscriber(client, options.maxAlerts);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
