import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface ReadyChild<T> {
  child: ChildProcess;
  ready: T;
  exited: Promise<number | null>;
}

/**
 * Spawn `node <args>` and wait for the JSON log line whose `msg` is `readyMsg`; reject with the child's
 * stderr tail when it exits first or stays silent past `timeoutMs`.
 */
export async function spawnUntilReady<T>(what: string, args: string[], env: NodeJS.ProcessEnv, readyMsg: string, timeoutMs: number): Promise<ReadyChild<T>> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const marker = `"msg":${JSON.stringify(readyMsg)}`;
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready after ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.includes(marker)) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    void exited.then((code) => reject(new Error(`${what} exited with ${code} before ready; stderr: ${stderr}`)));
  });
  child.stdout!.resume();
  return { child, ready, exited };
}
