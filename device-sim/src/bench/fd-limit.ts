import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FD_RESERVE, readFdLimits } from '../load/resource-limits.js';
import { SimError } from '../errors.js';

const RAISED_MARK = 'OUTPOST_SIM_NOFILE_RAISED';
const PRLIMIT = '/usr/bin/prlimit';

/**
 * Make sure this process (and the brokers it starts, which inherit the limit) may open `connections`
 * sockets plus a reserve. Returns true if the limit is enough. As root with util-linux's prlimit, a too-low
 * limit is raised by re-running this same command under `prlimit --nofile=N:N`: the promise then never
 * resolves and the process exits with the child's code. Otherwise throws SIM_ERR_FD_LIMIT saying how to raise it.
 */
export async function ensureFdLimit(connections: number, log: (line: string) => void): Promise<true> {
  const limits = readFdLimits();
  // Each process (generator, broker) holds one socket per connection, plus its own files, pipes and workers.
  const needed = connections + FD_RESERVE * 2;
  if (!limits || Math.max(limits.soft, limits.hard) >= needed) return true;
  const isRoot = process.getuid?.() === 0;
  // Root in a container without CAP_SYS_RESOURCE cannot go past the hard limit: try on a no-op first.
  const canRaise = isRoot && existsSync(PRLIMIT) && spawnSync(PRLIMIT, [`--nofile=${needed}:${needed}`, '--', 'true']).status === 0;
  if (canRaise && process.env[RAISED_MARK] !== '1') {
    log(`raising the open-file limit from ${limits.hard} to ${needed} for this bench and its brokers: re-running under prlimit --nofile=${needed}:${needed}`);
    const child = spawn(PRLIMIT, [`--nofile=${needed}:${needed}`, '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, [RAISED_MARK]: '1' },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const code = await new Promise<number>((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
    process.exit(code);
  }
  throw new SimError(
    'SIM_ERR_FD_LIMIT',
    `${connections} connections need about ${needed} open files per process, but the limit is ${limits.soft} soft / ${limits.hard} hard` +
      (isRoot && !canRaise ? ' and this root process may not raise it (no CAP_SYS_RESOURCE: a container?)' : '') +
      `; at most ${Math.max(0, Math.max(limits.soft, limits.hard) - FD_RESERVE * 2)} connections fit now. ` +
      `Raise it before running the bench: as root, prlimit --nofile=${needed}:${needed} -- <this command>, or ulimit -Hn ${needed} && ulimit -n ${needed}; ` +
      `for a service, LimitNOFILE=${needed}; for docker, --ulimit nofile=${needed}:${needed}.`,
  );
}
