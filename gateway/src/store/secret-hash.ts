import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(secret: string, salt: Buffer, cost: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes; give it headroom so higher costs work.
    scrypt(secret, salt, KEY_BYTES, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A slow salted hash: `scrypt$N$r$p$salt$key` (base64url). Runs on libuv's thread pool, never on the event loop. */
export async function hashSecret(secret: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, cost);
  return ['scrypt', cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const cost = Number(parts[1]);
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await scryptAsync(secret, salt, cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new random secret: 24 bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}
