import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cliArgs = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'gateway', 'src', 'main.ts')];
const fastHashEnv = { ...process.env, OUTPOST_GW_AUTH_SCRYPT_COST: '1024' };

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
  const child = spawn(process.execPath, [...cliArgs, 'start', '--data-dir', dataDir, '--host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0', '--ws-port', 'off'], {
    env: { ...fastHashEnv, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<{ mqttPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready after ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.includes('"gateway ready"')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { mqttPort: number; httpPort: number });
      }
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before ready; stderr: ${stderr}`)));
  });
  child.stdout!.resume();
  return { child, mqttPort: ready.mqttPort, httpPort: ready.httpPort, exited };
}
