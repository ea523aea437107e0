import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stopChild } from '../bench/mosquitto.js';
import { OutputTail } from '../bench/output-tail.js';
import { SimError } from '../errors.js';

/** The repository root, found from this file: the hub is driven only as a process, through its CLI. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HUB_ARGS = ['--conditions=source', '--import', 'tsx', 'cloud-hub/src/main.ts'];
const READY_TIMEOUT_MS = 60_000;

export interface HubHandle {
  grpcPort: number;
  httpPort: number;
  output(): string;
  stop(): Promise<void>;
}

/** `outpost-hub tokens create --json`: a one-time enrollment token for a gateway. */
export async function createEnrollmentToken(dataDir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...HUB_ARGS, 'tokens', 'create', '--data-dir', dataDir, '--json'], { cwd: REPO_ROOT });
    const line = stdout.split('\n').find((l) => l.trim().startsWith('{'));
    const token = (JSON.parse(line ?? '{}') as { token?: unknown }).token;
    if (typeof token !== 'string') throw new Error(`no token in: ${stdout}`);
    return token;
  } catch (cause) {
    throw new SimError('SIM_ERR_HUB_START', `outpost-hub tokens create failed: ${(cause as Error).message}`, { cause });
  }
}

export interface HubStartOptions {
  /** Fixed ports (a restarted hub keeps its address); free ones by default. */
  grpcPort?: number;
  httpPort?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
}

/** Start `outpost-hub start` on loopback ports (free ones unless given) and wait for its "hub ready" log line. */
export async function startHub(dataDir: string, options: HubStartOptions = {}): Promise<HubHandle> {
  const ports = ['--grpc-port', String(options.grpcPort ?? 0), '--http-port', String(options.httpPort ?? 0)];
  const args = [...(options.nodeArgs ?? []), ...HUB_ARGS, 'start', '--data-dir', dataDir, ...ports, '--host', '127.0.0.1'];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = new OutputTail(child.stdout, 100);
  const stderr = new OutputTail(child.stderr, 100);
  const output = () => `stderr:\n${stderr.text(40)}\nstdout:\n${stdout.text(20)}`;
  const ready = await new Promise<{ grpcPort: number; httpPort: number } | Error>((resolve) => {
    const timer = setTimeout(() => finish(new Error(`no "hub ready" line within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const off = stdout.onLine((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: unknown; grpcPort?: unknown; httpPort?: unknown };
        if (entry.msg === 'hub ready' && typeof entry.grpcPort === 'number' && typeof entry.httpPort === 'number') finish({ grpcPort: entry.grpcPort, httpPort: entry.httpPort });
      } catch {
        // not a JSON log line
      }
    });
    const onExit = (code: number | null) => finish(new Error(`the hub exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    function finish(result: { grpcPort: number; httpPort: number } | Error) {
      clearTimeout(timer);
      off();
      child.off('exit', onExit);
      resolve(result);
    }
  });
  if (ready instanceof Error) {
    await stopChild(child, 2_000);
    throw new SimError('SIM_ERR_HUB_START', `${ready.message}; ${output()}`, { cause: ready });
  }
  return { ...ready, output, stop: () => stopChild(child, 20_000) };
}
