import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const SALT_BYTES = 16;

const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function scryptAsync(secret: string, salt: Buffer, cost: number, blockSize: number, parallelism: number, keyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes; give it headroom so higher costs work.
    const maxmem = 256 * cost * blockSize + 1024 * 1024;
    scrypt(secret, salt, keyBytes, { N: cost, r: blockSize, p: parallelism, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A slow salted hash: `scrypt$N$r$p$salt$key` (base64url). Runs on libuv's thread pool, never on the event loop. */
export async function hashSecret(secret: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, cost, BLOCK_SIZE, PARALLELISM, KEY_BYTES);
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Check a secret against a stored hash, with the parameters recorded in that hash (not today's defaults). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, blockSize, parallelism] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length === 0) return false;
  const key = await scryptAsync(secret, salt, cost, blockSize, parallelism, expected.length);
  return timingSafeEqual(key, expected);
}

/** A new random secret: 24 bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}
