import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SimError } from '../errors.js';
import type { DeviceCredential } from '../load/load-options.js';
import { stopChild } from './mosquitto.js';
import { OutputTail } from './output-tail.js';

/** The repository root, found from this file (src/bench or dist/bench): the gateway is driven only as a process. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GATEWAY_MAIN = 'gateway/src/main.ts';
/** The gateway commits queued readings on SIGTERM and gives itself 15 s; a little more before SIGKILL. */
const GATEWAY_STOP_TIMEOUT_MS = 20_000;
/** Secrets use a slow hash: allow per device on top of start-up, and keep each command line short. */
const PROVISION_BASE_TIMEOUT_MS = 60_000;
const PROVISION_PER_DEVICE_MS = 200;
const PROVISION_CHUNK = 1_000;

export interface GatewayProcessOptions {
  dataDir: string;
  /** Extra environment, e.g. `OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC`. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
}

export interface GatewayHandle {
  mqttPort: number;
  httpPort: number;
  url: string;
  pid: number;
  /** The child's recent stderr and stdout lines. */
  output(): string;
  stop(): Promise<void>;
}

function gatewayCommand(args: string[]): string[] {
  return ['--conditions=source', '--import', 'tsx', GATEWAY_MAIN, ...args];
}

function runToEnd(args: string[], env: Record<string, string> | undefined, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, gatewayCommand(args), { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const stderr = new OutputTail(child.stderr, 30);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr.text() });
    });
  });
}

/** `devices add <id...> --json` through the gateway CLI; returns the new credentials. */
export async function provisionGatewayDevices(
  ids: readonly string[],
  options: Pick<GatewayProcessOptions, 'dataDir' | 'env'> & { chunkSize?: number; onProgress?: (done: number) => void },
): Promise<DeviceCredential[]> {
  const all: DeviceCredential[] = [];
  const chunkSize = options.chunkSize ?? PROVISION_CHUNK;
  for (let start = 0; start < ids.length; start += chunkSize) {
    const chunk = ids.slice(start, start + chunkSize);
    const timeoutMs = PROVISION_BASE_TIMEOUT_MS + chunk.length * PROVISION_PER_DEVICE_MS;
    const { code, stdout, stderr } = await runToEnd(['devices', 'add', ...chunk, '--data-dir', options.dataDir, '--json'], options.env, timeoutMs);
    const arrayLine = stdout.split('\n').reverse().find((line) => line.trim().startsWith('['));
    let parsed: unknown;
    try {
      parsed = arrayLine === undefined ? undefined : JSON.parse(arrayLine);
    } catch {
      parsed = undefined;
    }
    const ok = Array.isArray(parsed) && parsed.length === chunk.length && parsed.every((d) => typeof d?.id === 'string' && typeof d?.secret === 'string');
    if (code !== 0 || !ok) {
      throw new SimError('SIM_ERR_GATEWAY_PROVISION', `\`${GATEWAY_MAIN} devices add … --json\` exited ${code} without a list of ${chunk.length} credentials; stderr: ${stderr || '(empty)'}`);
    }
    all.push(...(parsed as DeviceCredential[]));
    options.onProgress?.(all.length);
  }
  return all;
}

/** Start `gateway start` on free loopback ports and wait for its "gateway ready" log line. */
export async function startGateway(options: GatewayProcessOptions): Promise<GatewayHandle> {
  const args = ['start', '--data-dir', options.dataDir, '--mqtt-port', '0', '--http-port', '0', '--ws-port', 'off', '--host', '127.0.0.1'];
  // Benchmarks of the broker, store and sync run without edge-runtime (on 2 cores it would compete for CPU);
  // the scoring benchmark turns it on with OUTPOST_GW_RUNTIME_ENABLED=true.
  const env = { OUTPOST_GW_RUNTIME_ENABLED: 'false', ...process.env, ...options.env };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...gatewayCommand(args)], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = new OutputTail(child.stdout, 100);
  const stderr = new OutputTail(child.stderr, 100);
  const output = () => `stderr:\n${stderr.text(40)}\nstdout:\n${stdout.text(20)}`;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const ready = await new Promise<{ mqttPort: number; httpPort: number } | Error>((resolve) => {
    const timer = setTimeout(() => finish(new Error(`no "gateway ready" line within ${timeoutMs} ms`)), timeoutMs);
    const off = stdout.onLine((line) => {
      let entry: { msg?: unknown; mqttPort?: unknown; httpPort?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'gateway ready' && typeof entry.mqttPort === 'number' && typeof entry.httpPort === 'number') {
        finish({ mqttPort: entry.mqttPort, httpPort: entry.httpPort });
      }
    });
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`the gateway exited (${signal ?? `code ${code}`}) before it was ready`));
    const onError = (err: Error) => finish(err);
    child.once('exit', onExit).once('error', onError);
    function finish(result: { mqttPort: number; httpPort: number } | Error) {
      clearTimeout(timer);
      off();
      child.off('exit', onExit).off('error', onError);
      resolve(result);
    }
  });
  if (ready instanceof Error) {
    await stopChild(child, 2_000);
    throw new SimError('SIM_ERR_GATEWAY_START', `${ready.message}; ${output()}`, { cause: ready });
  }
  return {
    ...ready,
    url: `mqtt://127.0.0.1:${ready.mqttPort}`,
    pid: child.pid ?? -1,
    output,
    stop: () => stopChild(child, GATEWAY_STOP_TIMEOUT_MS),
  };
}
