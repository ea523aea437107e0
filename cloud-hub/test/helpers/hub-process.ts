import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cliArgs = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'cloud-hub', 'src', 'main.ts')];
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OUTPOST_HUB_')));

/** Run `outpost-hub <args>` to completion, as an operator would. */
export async function runHubCli(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [...cliArgs, ...args], { env: { ...cleanEnv(), ...env } });
}

export interface HubProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  exited: Promise<number | null>;
}

/** Start `outpost-hub start` as a child process on free loopback ports and wait for its ready line. */
export async function startHubProcess(dataDir: string, timeoutMs = 30_000): Promise<HubProcess> {
  const child = spawn(process.execPath, [...cliArgs, 'start', '--data-dir', dataDir, '--host', '127.0.0.1', '--grpc-port', '0', '--http-port', '0'], {
    env: cleanEnv(),
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
  return { child, grpcPort: ready.grpcPort, httpPort: ready.httpPort, exited };
}
