import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { MOSQUITTO_BIN } from './mosquitto.js';

export interface BenchEnvironment {
  cpuModel: string;
  cpuCount: number;
  totalMemMiB: number;
  kernel: string;
  node: string;
  mosquitto: string | null;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

function firstLine(cmd: string, args: string[]): string | null {
  const out = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5_000 });
  if (out.error) return null;
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.split('\n')[0]?.trim() || null;
}

/** What a reader needs to judge numbers from another machine: hardware, versions and the exact commit. */
export function benchEnvironment(repoRoot: string): BenchEnvironment {
  const cpuList = cpus();
  const commit = firstLine('git', ['-C', repoRoot, 'rev-parse', 'HEAD']);
  const status = spawnSync('git', ['-C', repoRoot, 'status', '--porcelain'], { encoding: 'utf8', timeout: 5_000 });
  return {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    node: process.version,
    mosquitto: firstLine(MOSQUITTO_BIN, ['-h']),
    gitCommit: commit && /^[0-9a-f]{40}$/.test(commit) ? commit : null,
    gitDirty: status.error || status.status !== 0 ? null : status.stdout.trim().length > 0,
  };
}

export async function writeJsonReport(path: string, report: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
