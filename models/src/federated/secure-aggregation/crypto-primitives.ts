import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import { ModelError } from '../../errors.js';

// Fixed DER prefixes of X25519 keys (RFC 8410): the raw 32 bytes follow them.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface X25519Pair {
  privateKey: KeyObject;
  publicRaw: Buffer;
  privateRaw: Buffer;
}

export function generateX25519(): X25519Pair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey,
    publicRaw: publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length),
    privateRaw: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length),
  };
}

export const privateKeyFromRaw = (raw: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', `public key of ${raw.length} bytes, expected ${KEY_BYTES}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function agree(privateKey: KeyObject, publicRaw: Uint8Array): Buffer {
  try {
    return diffieHellman({ privateKey, publicKey: publicKeyFromRaw(publicRaw) });
  } catch (err) {
    // e.g. a low-order point, whose shared secret is all zeros: refused by OpenSSL.
    throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', 'key agreement failed (an invalid public key)', { cause: err });
  }
}

/** HKDF-SHA256 bound to the round (salt) and the purpose and parties (info). */
export const deriveKey = (ikm: Uint8Array, roundId: string, info: string) => Buffer.from(hkdfSync('sha256', ikm, Buffer.from(roundId, 'utf8'), Buffer.from(info, 'utf8'), KEY_BYTES));

/** A PRG: AES-256-CTR keystream under a derived key, read as little-endian uint32 words. */
export function prgWords(key: Uint8Array, words: number): Uint32Array {
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const bytes = Buffer.concat([cipher.update(Buffer.alloc(words * 4)), cipher.final()]);
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}

/** AES-256-GCM: iv ‖ ciphertext ‖ tag, base64; `aad` binds sender and recipient. */
export function seal(key: Uint8Array, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

export function open(key: Uint8Array, sealed: string, aad: string): Buffer {
  const bytes = typeof sealed === 'string' ? Buffer.from(sealed, 'base64') : Buffer.alloc(0);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', 'ciphertext too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', 'a share does not authenticate (wrong key, sender, recipient or round)', { cause: err });
  }
}

export const randomSeed = () => randomBytes(KEY_BYTES);

/** Labels of the derived keys: one place, so client and server derive the same. */
export const pairLabel = (purpose: 'share-key' | 'pair-mask', a: string, b: string) => `outpost-secagg/${purpose}/${a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`}`;
export const SELF_MASK_LABEL = 'outpost-secagg/self-mask';
