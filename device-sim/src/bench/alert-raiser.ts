import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type LocalAlert, PROTOCOL_VERSION, localTopics } from '@outpost/protocols';
import { connect as connectMqtt, type MqttClient } from 'mqtt';

export interface RaisedAlert {
  alertId: string;
  /** Wall clock (ms since epoch) just before the publish: comparable with the hub's `receivedAt` on this machine. */
  publishedAtMs: number;
  /** performance.now() at publish, for the poll-based latency. */
  publishedAtPerf: number;
  /** ms from publish to the gateway's PUBACK (stored in the gateway's outbox). */
  ackMs: number | null;
}

/**
 * Raises live alerts on a gateway the way edge-runtime does: an internal MQTT client (`_internal`, with the
 * secret from `<dataDir>/internal-secret`) publishing `localAlert` messages at QoS 1 on `local/v1/alerts`.
 */
export class AlertRaiser {
  readonly raised: RaisedAlert[] = [];
  #timer: NodeJS.Timeout | null = null;
  #n = 0;

  private constructor(private readonly client: MqttClient, private readonly deviceId: string, private readonly runId: string) {}

  static async open(url: string, gatewayDataDir: string, deviceId: string): Promise<AlertRaiser> {
    const password = readFileSync(join(gatewayDataDir, 'internal-secret'), 'utf8').trim();
    const runId = Date.now().toString(36);
    const client = connectMqtt(url, { clientId: `_internal.bench-${runId}`, username: '_internal', password, protocolVersion: 4, reconnectPeriod: 1000 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return new AlertRaiser(client, deviceId, runId);
  }

  /** Raise one alert every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => this.raise(), intervalMs);
  }

  raise(): void {
    const alertId = `bench-${this.runId}-${this.#n++}`;
    const publishedAtMs = Date.now();
    const alert: LocalAlert = { v: PROTOCOL_VERSION, alertId, deviceId: this.deviceId, ts: publishedAtMs, source: 'rule', kind: 'bench', severity: 'warning', score: 1, threshold: 0.5 };
    const entry: RaisedAlert = { alertId, publishedAtMs, publishedAtPerf: performance.now(), ackMs: null };
    this.raised.push(entry);
    this.client.publish(localTopics.alerts(), JSON.stringify(alert), { qos: 1 }, (err) => {
      if (!err) entry.ackMs = performance.now() - entry.publishedAtPerf;
    });
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async close(): Promise<void> {
    this.stop();
    await this.client.endAsync();
  }
}
