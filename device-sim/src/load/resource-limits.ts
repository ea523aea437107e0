import { readFileSync } from 'node:fs';
import { SimError } from '../errors.js';

/** Descriptors the process needs besides its sockets: stdio, the event loop, worker threads, module files. */
export const FD_RESERVE = 128;

export interface FdLimits {
  soft: number;
  hard: number;
}

/** The process's open-file limits from /proc (Linux); `null` where they cannot be read. */
export function readFdLimits(limitsText?: string): FdLimits | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!match) return null;
  const toNumber = (s: string | undefined) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: toNumber(match[1]), hard: toNumber(match[2]) };
}

function readNumberFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Fail before opening anything when `connections` sockets cannot fit under the file-descriptor limit.
 * Node raises its soft limit to the hard one at start-up, so the hard limit is usually what binds.
 */
export function checkFdLimit(connections: number, limits: FdLimits | null = readFdLimits()): void {
  if (!limits) return;
  const needed = connections + FD_RESERVE;
  const available = Math.max(limits.soft, limits.hard);
  if (needed <= available) return;
  const nrOpen = Number(readNumberFile('/proc/sys/fs/nr_open') ?? NaN);
  const kernelHint =
    Number.isFinite(nrOpen) && needed > nrOpen ? ` The kernel caps any process at fs.nr_open = ${nrOpen}; raise that first: sudo sysctl -w fs.nr_open=${needed}.` : '';
  throw new SimError(
    'SIM_ERR_FD_LIMIT',
    `${connections} connections need about ${needed} file descriptors, but this process may open only ${available} (ulimit -n). ` +
      `Raise the limit in the shell that starts the simulator: ulimit -n ${needed} (the hard limit is ${limits.hard}; ` +
      `above it, raise "nofile" as root in /etc/security/limits.conf, LimitNOFILE=${needed} in a systemd unit, ` +
      `or docker run --ulimit nofile=${needed}:${needed}), or run fewer devices per process.${kernelHint}`,
  );
}

/** Ephemeral ports one source address can use towards one broker address (net.ipv4.ip_local_port_range). */
export function readLocalPortCount(rangeText: string | null = readNumberFile('/proc/sys/net/ipv4/ip_local_port_range')): number | null {
  const match = rangeText ? /^(\d+)\s+(\d+)$/.exec(rangeText) : null;
  if (!match) return null;
  return Number(match[2]) - Number(match[1]) + 1;
}

/** Each source address gives one local port range towards one broker; past it connects fail with EADDRNOTAVAIL. */
export function checkPortRange(connections: number, sourceAddresses: number, portsPerAddress: number | null = readLocalPortCount()): void {
  if (portsPerAddress === null) return;
  const addresses = Math.max(1, sourceAddresses);
  if (connections <= portsPerAddress * addresses) return;
  const neededAddresses = Math.ceil(connections / portsPerAddress);
  throw new SimError(
    'SIM_ERR_PORT_RANGE',
    `${connections} connections to one broker address need ${connections} local ports, but ${addresses} source address(es) give ` +
      `${portsPerAddress * addresses} (net.ipv4.ip_local_port_range holds ${portsPerAddress} per address). ` +
      `Spread them over at least ${neededAddresses} loopback source addresses (--source-addresses ${neededAddresses}, or the localAddresses option), ` +
      `or widen the range: sudo sysctl -w net.ipv4.ip_local_port_range="1024 65535".`,
  );
}
