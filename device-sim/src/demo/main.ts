// `npm start`: the whole stack on embedded defaults. Today that is a gateway (durable ingest, HTTP API)
// with simulated devices publishing to it; the hub and edge-runtime join as their issues land.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GatewayHandle, provisionGatewayDevices, startGateway } from '../bench/gateway-process.js';
import { runDeviceLoad } from '../load/run-device-load.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEVICES = Number(process.env.OUTPOST_DEMO_DEVICES ?? 20);
const RATE_PER_DEVICE = Number(process.env.OUTPOST_DEMO_RATE ?? 1);
const DATA_DIR = process.env.OUTPOST_DEMO_DATA_DIR ?? join(REPO_ROOT, '.outpost', 'demo', 'gateway');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  say(`[demo] data directory: ${DATA_DIR}`);
  const ids = Array.from({ length: DEVICES }, (_, i) => `demo-sensor-${String(i).padStart(3, '0')}`);
  const credentialsFile = join(DATA_DIR, 'demo-devices.json');
  let credentials;
  try {
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { id: string; secret: string }[];
    say(`[demo] reusing ${credentials.length} provisioned devices`);
  } catch {
    say(`[demo] provisioning ${DEVICES} devices through the gateway CLI (secrets are slow-hashed; a few seconds)…`);
    credentials = await provisionGatewayDevices(ids, { dataDir: DATA_DIR });
    writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }

  say('[demo] starting the gateway…');
  const gateway: GatewayHandle = await startGateway({ dataDir: DATA_DIR });
  const token = readFileSync(join(DATA_DIR, 'api-token'), 'utf8').trim();
  const http = `http://127.0.0.1:${gateway.httpPort}`;
  say('');
  say('Outpost is running');
  say(`  MQTT broker     ${gateway.url}   (devices: outpost/v1/d/<id>/telemetry, credentials in ${credentialsFile})`);
  say(`  Gateway API     ${http}/api/v1/devices   (header: Authorization: Bearer ${token})`);
  say(`  Health          ${http}/healthz`);
  say(`  Metrics         ${http}/metrics`);
  say(`  Try             curl -H 'Authorization: Bearer ${token}' ${http}/api/v1/devices/${credentials[0]!.id}/readings?limit=3`);
  say(`  Simulating      ${credentials.length} devices × ${RATE_PER_DEVICE} reading/s, QoS 1.  Ctrl-C stops everything.`);
  say('');

  const abort = new AbortController();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('\n[demo] stopping devices and gateway…');
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
      signal: abort.signal,
      durationMs: Number(process.env.OUTPOST_DEMO_DURATION_MS ?? 7 * 24 * 3600 * 1000),
      onSecond: (line) => {
        if (line.second - lastPrinted < 10) return;
        lastPrinted = line.second;
        say(`[demo] t=${line.second}s connected=${line.connected} acked=${line.acked} msg/s=${line.msgPerSec.toFixed(1)} p99=${line.p99Ms ?? '-'} ms errors=${line.errors}`);
      },
    });
  } finally {
    await gateway.stop();
    say('[demo] stopped; data kept in the data directory');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[demo] failed: ${(err as Error).message}\n`);
  process.exit(1);
});
