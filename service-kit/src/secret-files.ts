import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A secret kept in a file under the data directory (mode 0600), created on first use.
 * `created` tells the caller to show it once.
 */
export function loadOrCreateSecretFile(dataDir: string, name: string): { value: string; created: boolean; file: string } {
  const file = join(dataDir, name);
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length >= 24) return { value, created: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(32).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'w' });
  return { value, created: true, file };
}
