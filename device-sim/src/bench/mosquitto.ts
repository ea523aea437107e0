import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimError } from '../errors.js';
import { OutputTail } from './output-tail.js';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  bin?: string;
  startTimeoutMs?: number;
}

export interface MosquittoHandle {
  port: number;
  url: string;
  pid: number;
  /** The broker's recent log lines (it logs connects with the client's source address to stderr). */
  output(): string;
  close(): Promise<void>;
}

const START_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 3_000;

/** A port that was free a moment ago; mosquitto cannot take port 0, so a bind race is retried by the caller. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read the bound port');
  return address.port;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function stopChild(child: ChildProcess, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

async function startOnce(bin: string, dir: string, startTimeoutMs: number): Promise<{ child: ChildProcess; port: number; stderr: OutputTail } | Error> {
  const port = await freeLoopbackPort();
  const config = join(dir, 'mosquitto.conf');
  // Default settings apart from where to listen and letting the simulator's anonymous devices in.
  await writeFile(config, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const child = spawn(bin, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new OutputTail(child.stderr);
  new OutputTail(child.stdout);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline && !exited) {
    if (await portAccepts(port)) return { child, port, stderr };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopChild(child);
  return new Error(exited ? `mosquitto exited: ${stderr.text(10)}` : `port ${port} did not accept within ${startTimeoutMs} ms: ${stderr.text(10)}`);
}

/** Start a real Mosquitto on a free loopback port; `close()` stops it and removes its temp dir. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const bin = options.bin ?? MOSQUITTO_BIN;
  if (!existsSync(bin)) {
    throw new SimError('SIM_ERR_MOSQUITTO_MISSING', `${bin} not found; install it with \`npm run pretest\` (runs the project set-up) or \`sudo apt-get install mosquitto\``);
  }
  const dir = await mkdtemp(join(tmpdir(), 'outpost-mosquitto-'));
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const started = await startOnce(bin, dir, options.startTimeoutMs ?? 5_000);
    if (started instanceof Error) {
      lastError = started;
      continue;
    }
    const { child, port, stderr } = started;
    return {
      port,
      url: `mqtt://127.0.0.1:${port}`,
      pid: child.pid ?? -1,
      output: () => stderr.text(),
      close: async () => {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new SimError('SIM_ERR_MOSQUITTO_START', `${lastError?.message ?? 'unknown failure'} (after ${START_ATTEMPTS} attempts)`, { cause: lastError });
}
