// `npm start`: the whole stack on embedded defaults — a hub (one process, SQLite), a gateway enrolled
// with it (durable ingest, sync, HTTP API), the edge-runtime it supervises (shipped models, online
// detector) and simulated devices on mixed sensor profiles with a few labelled anomalies.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from '../bench/gateway-process.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { type HubHandle, createEnrollmentToken, startHub } from './hub-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEVICES = Number(process.env.OUTPOST_DEMO_DEVICES ?? 20);
const RATE_PER_DEVICE = Number(process.env.OUTPOST_DEMO_RATE ?? 1);
const DEMO_DIR = process.env.OUTPOST_DEMO_DATA_DIR ?? join(REPO_ROOT, '.outpost', 'demo');
const GATEWAY_DIR = join(DEMO_DIR, 'gateway');
const ANOMALY_RATE = Number(process.env.OUTPOST_DEMO_ANOMALY_RATE ?? 0.002);
const HUB_DIR = join(DEMO_DIR, 'hub');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function deviceCredentials(): Promise<{ id: string; secret: string }[]> {
  const file = join(GATEWAY_DIR, 'demo-devices.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { id: string; secret: string }[];
    say(`[demo] reusing ${saved.length} provisioned devices`);
    return saved;
  }
  say(`[demo] provisioning ${DEVICES} devices through the gateway CLI (secrets are slow-hashed; a few seconds)…`);
  const ids = Array.from({ length: DEVICES }, (_, i) => `demo-sensor-${String(i).padStart(3, '0')}`);
  const created = await provisionGatewayDevices(ids, { dataDir: GATEWAY_DIR });
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

/** The technician UI's admin password for the demo: chosen once, kept beside the demo data (0600). */
function demoAdminPassword(): string {
  const file = join(GATEWAY_DIR, 'demo-ui-admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(12).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** edge-runtime's state and the alerts stored so far, for the progress line. */
async function runtimeSummary(gwHttp: string, token: string): Promise<string> {
  const get = async <T>(path: string) => (await fetch(`${gwHttp}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<T>;
  try {
    const [runtime, alerts] = await Promise.all([
      get<{ runtime: { state: string; modelVersion?: string } | null }>('/api/v1/runtime'),
      get<{ alerts: unknown[] }>('/api/v1/alerts?limit=1000'),
    ]);
    return `runtime=${runtime.runtime?.state ?? 'starting'}${runtime.runtime?.modelVersion ? ` (${runtime.runtime.modelVersion})` : ''} alerts=${alerts.alerts.length}`;
  } catch {
    return 'runtime=?';
  }
}

async function main(): Promise<void> {
  mkdirSync(GATEWAY_DIR, { recursive: true });
  mkdirSync(HUB_DIR, { recursive: true });
  say(`[demo] data directory: ${DEMO_DIR}`);
  const credentials = await deviceCredentials();

  say('[demo] starting the hub…');
  const hub: HubHandle = await startHub(HUB_DIR);
  const enrolled = existsSync(join(GATEWAY_DIR, 'hub-credential'));
  const adminPassword = demoAdminPassword();
  const syncEnv: Record<string, string> = { OUTPOST_GW_SYNC_HUB_URL: `127.0.0.1:${hub.grpcPort}`, OUTPOST_GW_UI_ADMIN_PASSWORD: adminPassword, OUTPOST_GW_RUNTIME_ENABLED: 'true' };
  if (!enrolled) {
    say('[demo] creating an enrollment token for the gateway…');
    syncEnv.OUTPOST_GW_SYNC_ENROLLMENT_TOKEN = await createEnrollmentToken(HUB_DIR);
  }

  say('[demo] starting the gateway…');
  let gateway: GatewayHandle;
  try {
    gateway = await startGateway({ dataDir: GATEWAY_DIR, env: syncEnv });
  } catch (err) {
    await hub.stop();
    throw err;
  }
  const gwToken = readFileSync(join(GATEWAY_DIR, 'api-token'), 'utf8').trim();
  const hubToken = readFileSync(join(HUB_DIR, 'api-token'), 'utf8').trim();
  const gwHttp = `http://127.0.0.1:${gateway.httpPort}`;
  const hubHttp = `http://127.0.0.1:${hub.httpPort}`;
  say('');
  say('Outpost is running');
  say(`  Gateway MQTT    ${gateway.url}   (devices publish to outpost/v1/d/<id>/telemetry; credentials in ${join(GATEWAY_DIR, 'demo-devices.json')})`);
  say(`  Technician UI   ${gwHttp}/   login: admin / ${adminPassword}`);
  say(`  Gateway API     ${gwHttp}/api/v1/devices   API token: ${gwToken}`);
  say(`  Gateway sync    curl -H 'Authorization: Bearer ${gwToken}' ${gwHttp}/api/v1/sync`);
  say(`  Hub API         ${hubHttp}/api/v1/gateways   API token: ${hubToken}`);
  say(`  Ops console     ${hubHttp}/console/   log in with the hub API token`);
  say(`  Hub API docs    ${hubHttp}/api/docs/   (OpenAPI: ${hubHttp}/api/v1/openapi.json)`);
  say(`  Hub gRPC        127.0.0.1:${hub.grpcPort}`);
  say(`  Readings        curl -H 'Authorization: Bearer ${gwToken}' ${gwHttp}/api/v1/devices/${credentials[0]!.id}/readings?limit=3`);
  say(`  Alerts          curl -H 'Authorization: Bearer ${gwToken}' ${gwHttp}/api/v1/alerts   (edge-runtime: ${gwHttp}/api/v1/runtime)`);
  say(`  Simulating      ${credentials.length} devices × ${RATE_PER_DEVICE} reading/s, QoS 1, mixed sensor profiles (an hour of signal per minute), anomalies ${ANOMALY_RATE} per reading.  Ctrl-C stops everything.`);
  say('');

  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) return;
    say('\n[demo] stopping devices, gateway and hub…');
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  let lastPrinted = 0;
  try {
    await runDeviceLoad({
      url: gateway.url,
      credentials,
      qos: 1,
      ratePerDevice: RATE_PER_DEVICE,
      workers: 1,
      signals: { seed: 'demo', profile: 'mixed', anomalyRate: ANOMALY_RATE, timeScale: 60 },
      signal: abort.signal,
      durationMs: Number(process.env.OUTPOST_DEMO_DURATION_MS ?? 7 * 24 * 3600 * 1000),
      onSecond: (line) => {
        if (line.second - lastPrinted < 10) return;
        lastPrinted = line.second;
        void runtimeSummary(gwHttp, gwToken).then((runtime) =>
          say(`[demo] t=${line.second}s connected=${line.connected} acked=${line.acked} msg/s=${line.msgPerSec.toFixed(1)} p99=${line.p99Ms ?? '-'} ms errors=${line.errors} ${runtime}`),
        );
      },
    });
  } finally {
    await gateway.stop();
    await hub.stop();
    say('[demo] stopped; data kept in the data directory');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[demo] failed: ${(err as Error).message}\n`);
  process.exit(1);
});
