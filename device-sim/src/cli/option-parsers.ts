import { InvalidArgumentError } from 'commander';

/** commander parser for an integer flag within bounds; the error names what it expects. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}, got "${raw}"`);
    }
    return value;
  };
}

/** commander parser for a number flag (fractions allowed) of at least `min`. */
export function numberAtLeast(min: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min) throw new InvalidArgumentError(`expected a number >= ${min}, got "${raw}"`);
    return value;
  };
}

/** commander parser for one of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(choices as readonly string[]).includes(raw)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

/** commander parser for a `host:port` address (a gRPC target such as the hub's sync port). */
export function hostPort(raw: string): string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) throw new InvalidArgumentError(`expected host:port such as 127.0.0.1:50051, got "${raw}"`);
  return raw.trim();
}
