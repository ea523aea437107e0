import { spawnUntilReady } from './spawn-until-ready.js';
import { type ChildProcess, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hubArgs = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'cloud-hub', 'src', 'main.ts')];

export interface HubProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  exited: Promise<number | null>;
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Create a one-time enrollment token with the hub's CLI (works whether the hub runs or not). */
export async function createEnrollmentToken(dataDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [...hubArgs, 'tokens', 'create', '--json', '--data-dir', dataDir]);
  return (JSON.parse(stdout) as { token: string }).token;
}

/**
 * Start the real hub (`outpost-hub start`) as a child process and wait for its ready line. Binding gRPC
 * to port 0 has been seen to fail with EADDRINUSE now and then: that start is retried (at most 3 times).
 */
export async function startHubProcess(dataDir: string, options: HubStartOptions = {}): Promise<HubProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHubOnce(dataDir, options);
    } catch (err) {
      if (attempt >= 3 || !(err as Error).message.includes('EADDRINUSE')) throw err;
    }
  }
}

export interface HubStartOptions {
  grpcPort?: number;
  timeoutMs?: number;
  /** Extra environment, e.g. OUTPOST_HUB_SYNC_MAX_BATCH_BYTES. */
  env?: NodeJS.ProcessEnv;
}

async function startHubOnce(dataDir: string, options: HubStartOptions): Promise<HubProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const args = [...hubArgs, 'start', '--data-dir', dataDir, '--grpc-port', String(options.grpcPort ?? 0), '--http-port', '0'];
  const { child, ready, exited } = await spawnUntilReady<{ grpcPort: number; httpPort: number }>('hub', args, { ...process.env, ...options.env }, 'hub ready', timeoutMs);
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  return {
    child,
    grpcPort: ready.grpcPort,
    httpPort: ready.httpPort,
    exited,
    async api<T>(path: string, init: RequestInit = {}) {
      const res = await fetch(`http://127.0.0.1:${ready.httpPort}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
