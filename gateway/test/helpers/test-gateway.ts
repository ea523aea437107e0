import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { type GatewayConfigInput, createGateway, loadGatewayConfig } from '../../src/index.js';
import type { Logger } from '../../src/observability/logger.js';
import type { LogRing } from '../../src/ui/log-ring.js';

export type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

/** A real gateway in this process: temp data dir, free ports on loopback, fast secret hashing, silent logs. */
export async function startTestGateway(
  overrides: GatewayConfigInput = {},
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-gw-')),
  options: { logger?: Logger; logRing?: LogRing; onPowerShutdown?: () => void } = {},
) {
  const config = loadGatewayConfig({
    env: {},
    overrides: {
      ...overrides,
      dataDir,
      log: { level: 'silent' },
      mqtt: { host: '127.0.0.1', port: 0, wsPort: 0, ...overrides.mqtt },
      http: { host: '127.0.0.1', port: 0, ...overrides.http },
      auth: { scryptCost: 1024, ...overrides.auth },
      runtime: { enabled: false, ...overrides.runtime },
    },
  });
  const gateway = await createGateway(config, { logger: pino({ level: 'silent' }), ...options });
  const addresses = await gateway.start();
  const token = gateway.apiToken.value;
  return {
    gateway,
    addresses,
    dataDir,
    async provision(...ids: string[]) {
      return Object.fromEntries((await gateway.registry.add(ids)).map((d) => [d.id, d.secret])) as Record<string, string>;
    },
    async api<T = unknown>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
      const res = await fetch(`http://127.0.0.1:${addresses.httpPort}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async close({ keepData = false } = {}) {
      await gateway.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Connect an MQTT.js client as a device; rejects with the broker's refusal. `localAddress` picks the
 * source address (127.0.0.x), which MQTT.js's own TCP builder cannot do.
 */
export function connectDevice(url: string, id: string, secret: string, options: IClientOptions & { localAddress?: string } = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const { localAddress, ...rest } = options;
    const opts: IClientOptions = { clientId: id, username: id, password: secret, reconnectPeriod: 0, connectTimeout: 5000, ...rest };
    const target = new URL(url);
    const client = localAddress
      ? new mqtt.MqttClient(() => createConnection({ host: target.hostname, port: Number(target.port), localAddress }), opts)
      : mqtt.connect(url, opts);
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** Resolves when the client's connection closes (or rejects after `timeoutMs`). */
export function waitForClose(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Collect messages arriving on `topic` until `count` arrived or `timeoutMs` passed. */
export function collect(client: MqttClient, topic: string, count: number, timeoutMs = 5000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const timer = setTimeout(finish, timeoutMs);
    function finish() {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(got);
    }
    function onMessage(t: string, payload: Buffer) {
      if (t !== topic) return;
      got.push(payload);
      if (got.length >= count) finish();
    }
    client.on('message', onMessage);
  });
}
