import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
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
  const child = spawn(process.execPath, [...hubArgs, 'start', '--data-dir', dataDir, '--grpc-port', String(options.grpcPort ?? 0), '--http-port', '0'], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub not ready after ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.includes('"hub ready"')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
      }
    });
    void exited.then((code) => reject(new Error(`hub exited with ${code} before ready; stderr: ${stderr}`)));
  });
  child.stdout!.resume();
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
