import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run one of Mosquitto's command-line clients (an independent MQTT implementation) and capture it. */
export function runMosquittoClient(command: 'mosquitto_pub' | 'mosquitto_sub', args: string[], timeoutMs = 15_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start (run "npm test" once to install mosquitto-clients): ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function deviceArgs(port: number, id: string, secret: string): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-i', id, '-u', id, '-P', secret];
}
