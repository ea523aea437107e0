import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type HubConfigInput, createHub, loadHubConfig } from '../../src/index.js';
import { enroll, newClient } from './sync-client.js';

export type TestHub = Awaited<ReturnType<typeof startTestHub>>;

/** A real hub in this process: temp data dir, free loopback ports, silent logs. */
export async function startTestHub(overrides: HubConfigInput = {}, options: { now?: () => number; dataDir?: string } = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'outpost-hub-'));
  const config = loadHubConfig({
    env: {},
    overrides: {
      ...overrides,
      dataDir,
      log: { level: 'silent' },
      sync: { host: '127.0.0.1', port: 0, revocationPollMs: 100, ...overrides.sync },
      http: { host: '127.0.0.1', port: 0, ...overrides.http },
    },
  });
  const hub = createHub(config, { logger: pino({ level: 'silent' }), ...(options.now ? { now: options.now } : {}) });
  const addresses = await hub.start();
  const client = newClient(addresses.grpcPort);
  const token = hub.apiToken.value;

  async function api<T = Record<string, unknown>>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: T }> {
    const { json, ...rest } = init;
    const res = await fetch(`http://127.0.0.1:${addresses.httpPort}${path}`, {
      ...rest,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...rest.headers },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  return {
    hub,
    addresses,
    dataDir,
    client,
    api,
    /** Create a token through the API and enroll a gateway with it. */
    async enrollGateway(name = 'test-gw') {
      const created = await api<{ token: string }>('/api/v1/enrollment-tokens', { method: 'POST', json: {} });
      return enroll(client, created.body.token, name);
    },
    async close({ keepData = false } = {}) {
      client.close();
      await hub.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
