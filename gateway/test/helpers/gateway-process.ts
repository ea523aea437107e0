import { spawnUntilReady } from './spawn-until-ready.js';
import { type ChildProcess, execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cliArgs = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'gateway', 'src', 'main.ts')];
// edge-runtime stays off unless a test turns it on: most tests are about the broker, store and sync.
const fastHashEnv = { OUTPOST_GW_RUNTIME_ENABLED: 'false', ...process.env, OUTPOST_GW_AUTH_SCRYPT_COST: '1024' };

/** Provision devices through the real CLI, as an operator would. */
export async function cliAddDevices(dataDir: string, ids: string[]): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)(process.execPath, [...cliArgs, 'devices', 'add', ...ids, '--data-dir', dataDir, '--json'], { env: fastHashEnv });
  return Object.fromEntries((JSON.parse(stdout) as { id: string; secret: string }[]).map((d) => [d.id, d.secret]));
}

export interface GatewayProcess {
  child: ChildProcess;
  mqttPort: number;
  httpPort: number;
  exited: Promise<number | null>;
}

/** Start `outpost-gateway start` as a child process on free loopback ports and wait for its ready line. */
export async function startGatewayProcess(dataDir: string, timeoutMs = 20_000, options: { env?: NodeJS.ProcessEnv } = {}): Promise<GatewayProcess> {
  const args = [...cliArgs, 'start', '--data-dir', dataDir, '--host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0', '--ws-port', 'off'];
  const { child, ready, exited } = await spawnUntilReady<{ mqttPort: number; httpPort: number }>('gateway', args, { ...fastHashEnv, ...options.env }, 'gateway ready', timeoutMs);
  return { child, mqttPort: ready.mqttPort, httpPort: ready.httpPort, exited };
}
