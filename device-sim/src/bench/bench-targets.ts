import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceCredential } from '../load/load-options.js';
import { provisionGatewayDevices, startGateway } from './gateway-process.js';
import { startMosquitto } from './mosquitto.js';
import { BENCH_GATEWAY_ENV } from './run-ingest-bench.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE_DIR = join(REPO_ROOT, '.cache', 'bench');
/** The lowest scrypt cost the gateway accepts: provisioning 100k devices at the default cost would take hours. */
const BENCH_SCRYPT_COST = '1024';
const PROVISION_CHUNK = 5_000;

export type BenchTarget = 'gateway' | 'mosquitto';

export interface StartedTarget {
  name: BenchTarget;
  url: string;
  pid: number;
  /** Gateway only: its HTTP API and token, for the loss audit. */
  apiUrl?: string;
  apiToken?: string;
  credentials?: DeviceCredential[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * The gateway's connection guards (1000 connections per source address, 500 new connections/s with a burst
 * of 1000) exist to survive storms from real fleets; a bench that opens 100k connections from a few loopback
 * addresses must raise them, and says so in its report. The per-device rate limit is raised as in the ingest bench.
 */
export function benchGatewayEnv(devices: number): Record<string, string> {
  return {
    ...BENCH_GATEWAY_ENV,
    OUTPOST_GW_LIMITS_MAX_CONNECTIONS_PER_ADDRESS: String(Math.max(1000, devices)),
    OUTPOST_GW_LIMITS_CONNECT_RATE_PER_SEC: '1000000',
    OUTPOST_GW_LIMITS_CONNECT_BURST: String(Math.max(1000, devices)),
    OUTPOST_GW_AUTH_SCRYPT_COST: BENCH_SCRYPT_COST,
  };
}

export const benchDeviceIds = (n: number) => Array.from({ length: n }, (_, i) => `bench-${i}`);

/**
 * A gateway data directory holding `devices` provisioned devices, made once and kept in .cache/bench (git-ignored);
 * each run starts from a fresh copy, so stored readings never leak from one run into the next one's audit.
 */
async function provisionedTemplate(devices: number, log: (line: string) => void): Promise<{ dir: string; credentials: DeviceCredential[] }> {
  const dir = join(CACHE_DIR, `gateway-devices-${devices}-scrypt${BENCH_SCRYPT_COST}`);
  const credsFile = join(dir, 'bench-credentials.json');
  try {
    const credentials = JSON.parse(await readFile(credsFile, 'utf8')) as DeviceCredential[];
    if (credentials.length === devices) return { dir: join(dir, 'data'), credentials };
  } catch {
    // not made yet
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  log(`provisioning ${devices} devices through the gateway CLI (once; kept in ${dir})…`);
  const started = Date.now();
  const credentials = await provisionGatewayDevices(benchDeviceIds(devices), {
    dataDir: join(dir, 'data'),
    env: benchGatewayEnv(devices),
    chunkSize: PROVISION_CHUNK,
    onProgress: (done) => log(`  provisioned ${done}/${devices} (${Math.round((Date.now() - started) / 1000)} s)`),
  });
  await writeFile(credsFile, JSON.stringify(credentials), { mode: 0o600 });
  return { dir: join(dir, 'data'), credentials };
}

export async function startTarget(name: BenchTarget, devices: number, log: (line: string) => void): Promise<StartedTarget> {
  if (name === 'mosquitto') {
    const m = await startMosquitto();
    return { name, url: m.url, pid: m.pid, output: m.output, stop: m.close };
  }
  const template = await provisionedTemplate(devices, log);
  const dataDir = await mkdtemp(join(tmpdir(), 'outpost-bench-gw-'));
  await cp(template.dir, dataDir, { recursive: true });
  const gateway = await startGateway({ dataDir, env: benchGatewayEnv(devices), readyTimeoutMs: 120_000 });
  const apiToken = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
  return {
    name,
    url: gateway.url,
    pid: gateway.pid,
    apiUrl: `http://127.0.0.1:${gateway.httpPort}`,
    apiToken,
    credentials: template.credentials,
    output: gateway.output,
    stop: async () => {
      await gateway.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
