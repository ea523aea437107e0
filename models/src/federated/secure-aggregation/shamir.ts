import { randomBytes } from 'node:crypto';
import { ModelError } from '../../errors.js';

/** The Mersenne prime 2^521 − 1: any 32-byte secret is a field element, and shares are fixed-width. */
export const FIELD_PRIME = (1n << 521n) - 1n;
export const SHARE_BYTES = 66;

export interface Share {
  x: number;
  y: bigint;
}

const mod = (a: bigint) => ((a % FIELD_PRIME) + FIELD_PRIME) % FIELD_PRIME;

function randomFieldElement(): bigint {
  // 66 random bytes reduced mod p: the bias is below 2^-7 of one part in 2^521, irrelevant here.
  return mod(BigInt(`0x${randomBytes(SHARE_BYTES).toString('hex')}`));
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % FIELD_PRIME;
    b = (b * b) % FIELD_PRIME;
    e >>= 1n;
  }
  return result;
}

const inverse = (a: bigint) => pow(a, FIELD_PRIME - 2n);

/** t-of-n Shamir shares of a secret (bytes read as a big-endian integer) at the given x coordinates (≥ 1, distinct). */
export function splitSecret(secret: Uint8Array, xs: readonly number[], threshold: number): Share[] {
  if (secret.length > SHARE_BYTES - 1) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', `secret of ${secret.length} bytes is too long for the field`);
  const s = secret.length === 0 ? 0n : BigInt(`0x${Buffer.from(secret).toString('hex')}`);
  const coefficients = [s, ...Array.from({ length: threshold - 1 }, randomFieldElement)];
  return xs.map((x) => {
    let y = 0n;
    const bx = BigInt(x);
    for (let i = coefficients.length - 1; i >= 0; i--) y = (y * bx + coefficients[i]!) % FIELD_PRIME;
    return { x, y };
  });
}

/** Lagrange interpolation at 0 from the first `threshold` distinct shares; the secret back as `length` bytes. */
export function combineShares(shares: readonly Share[], threshold: number, length: number): Uint8Array {
  const distinct = new Map<number, bigint>();
  for (const sh of shares) if (!distinct.has(sh.x)) distinct.set(sh.x, sh.y);
  if (distinct.size < threshold) throw new ModelError('MODEL_ERR_SECAGG_THRESHOLD', `${distinct.size} distinct shares, ${threshold} needed`);
  const pts = [...distinct].slice(0, threshold).map(([x, y]) => ({ x: BigInt(x), y }));
  let secret = 0n;
  for (let i = 0; i < pts.length; i++) {
    let num = 1n;
    let den = 1n;
    for (let j = 0; j < pts.length; j++) {
      if (i === j) continue;
      num = (num * mod(-pts[j]!.x)) % FIELD_PRIME;
      den = (den * mod(pts[i]!.x - pts[j]!.x)) % FIELD_PRIME;
    }
    secret = (secret + pts[i]!.y * ((num * inverse(den)) % FIELD_PRIME)) % FIELD_PRIME;
  }
  if (secret >= 1n << BigInt(8 * length)) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', 'shares do not combine to a secret of the expected size (a corrupt share)');
  return Uint8Array.from(Buffer.from(secret.toString(16).padStart(2 * length, '0'), 'hex'));
}

export const encodeFieldElement = (y: bigint) => Buffer.from(y.toString(16).padStart(2 * SHARE_BYTES, '0'), 'hex').toString('base64');

export function decodeFieldElement(b64: string): bigint {
  const bytes = typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
  if (bytes.length !== SHARE_BYTES || bytes.toString('base64') !== b64) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', `a share is not ${SHARE_BYTES} bytes of base64`);
  const y = BigInt(`0x${bytes.toString('hex')}`);
  if (y >= FIELD_PRIME) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', 'a share is outside the field');
  return y;
}
