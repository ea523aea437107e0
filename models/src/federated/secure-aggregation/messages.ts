import { ModelError } from '../../errors.js';

/** Every secure-aggregation message carries this version; a different one is refused with a code. */
export const SECAGG_MESSAGE_VERSION = 1;

export interface SecAggConfig {
  /** Shamir threshold t: this many clients must survive to the end, and t shares open a secret. */
  threshold: number;
  /** Updates are clipped to ±range before quantisation. */
  range: number;
  /** Fixed point: value·2^fractionalBits rounded, in Z_2^32. totalWeight·range·2^fractionalBits must stay below 2^31. */
  fractionalBits: number;
  /** Length of the update vector (the weight is appended to it on the wire). */
  vectorLength: number;
  /** Binds keys, masks and ciphertexts to one round: nothing of one round opens or unmasks another. */
  roundId: string;
}

/** Round 0, client → server → all: two X25519 public keys (raw, base64): c for share encryption, s for masks. */
export interface SecAggAdvertisement {
  v: number;
  roundId: string;
  clientId: string;
  cPublicKey: string;
  sPublicKey: string;
}

/** Round 1, client → server → recipient: AES-256-GCM (iv ‖ ciphertext ‖ tag, base64) of the shares of s_u and b_u for the recipient. */
export interface SecAggEncryptedShare {
  v: number;
  roundId: string;
  clientId: string;
  recipientId: string;
  ciphertext: string;
}

/** Round 2, client → server: y_u = x_u + PRG(b_u) + Σ ±PRG(s_uv) in Z_2^32, little-endian uint32, base64; length vectorLength + 1. */
export interface SecAggMaskedInput {
  v: number;
  roundId: string;
  clientId: string;
  masked: string;
}

/** One Shamir share (x, y) of another client's secret: y big-endian in the field, base64. */
export interface SecAggShare {
  ownerId: string;
  x: number;
  y: string;
}

/** Round 3, client → server: shares of b_v for each survivor v, of s_v's private key for each dropped v. */
export interface SecAggUnmaskShares {
  v: number;
  roundId: string;
  clientId: string;
  selfMaskShares: SecAggShare[];
  keyShares: SecAggShare[];
}

const MAX_ID_LENGTH = 200;
export const MAX_VECTOR_LENGTH = 10_000_000;
/** A bound on the clients of one round: the roster, the share routing and the unmasking are all quadratic in it. */
export const MAX_SECAGG_CLIENTS = 1000;

const fail = (detail: string) => new ModelError('MODEL_ERR_SECAGG_MESSAGE', detail);

export function checkId(what: string, id: unknown): string {
  // NUL separates ids inside derivation labels, so it may not appear in one.
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || id.includes('\u0000')) throw fail(`${what}: expected a non-empty string of at most ${MAX_ID_LENGTH} characters without NUL`);
  return id;
}

export function checkConfig(cfg: SecAggConfig): void {
  const bad = (what: string, v: unknown) => new ModelError('MODEL_ERR_FL_CONFIG', `secure aggregation ${what}: got ${String(v)}`);
  if (!(Number.isInteger(cfg.threshold) && cfg.threshold >= 2)) throw bad('threshold (expected an integer ≥ 2: one input alone would be revealed)', cfg.threshold);
  if (!(Number.isFinite(cfg.range) && cfg.range > 0)) throw bad('range (expected > 0)', cfg.range);
  if (!(Number.isInteger(cfg.fractionalBits) && cfg.fractionalBits >= 0 && cfg.fractionalBits <= 30)) throw bad('fractionalBits (expected 0..30)', cfg.fractionalBits);
  if (cfg.range * 2 ** cfg.fractionalBits >= 2 ** 31) throw bad('range · 2^fractionalBits (expected < 2^31)', cfg.range * 2 ** cfg.fractionalBits);
  if (!(Number.isInteger(cfg.vectorLength) && cfg.vectorLength >= 1 && cfg.vectorLength <= MAX_VECTOR_LENGTH)) throw bad(`vectorLength (expected 1..${MAX_VECTOR_LENGTH})`, cfg.vectorLength);
  try {
    checkId('roundId', cfg.roundId);
  } catch {
    throw bad('roundId (expected a non-empty string)', cfg.roundId);
  }
}

/** Version, round and sender of any message; the caller checks the rest. */
export function checkEnvelope(m: unknown, roundId: string, kind: string): asserts m is { v: number; roundId: string; clientId: string } {
  if (typeof m !== 'object' || m === null) throw fail(`${kind}: not an object`);
  const o = m as Record<string, unknown>;
  if (o.v !== SECAGG_MESSAGE_VERSION) throw fail(`${kind}: version ${String(o.v)}, expected ${SECAGG_MESSAGE_VERSION}`);
  if (o.roundId !== roundId) throw fail(`${kind}: round ${String(o.roundId)}, expected ${roundId}`);
  checkId(`${kind} clientId`, o.clientId);
}

export function checkAdvertisement(a: SecAggAdvertisement, roundId: string): void {
  checkEnvelope(a, roundId, 'advertisement');
  for (const k of ['cPublicKey', 'sPublicKey'] as const) {
    const raw = typeof a[k] === 'string' ? Buffer.from(a[k], 'base64') : Buffer.alloc(0);
    if (raw.length !== 32 || raw.toString('base64') !== a[k]) throw fail(`advertisement of ${a.clientId}: ${k} is not 32 bytes of base64`);
  }
  if (a.cPublicKey === a.sPublicKey) throw fail(`advertisement of ${a.clientId}: the two public keys must differ`);
}

export function checkEncryptedShare(s: SecAggEncryptedShare, roundId: string): void {
  checkEnvelope(s, roundId, 'encrypted share');
  checkId('recipientId', s.recipientId);
  if (s.recipientId === s.clientId) throw fail(`encrypted share of ${s.clientId} addressed to itself`);
  // Two 66-byte shares in JSON plus GCM overhead stay far below this.
  if (typeof s.ciphertext !== 'string' || s.ciphertext.length > 4096) throw fail(`encrypted share of ${s.clientId}: ciphertext missing or too long`);
}

export function checkShareList(what: string, list: unknown): asserts list is SecAggShare[] {
  if (!Array.isArray(list) || list.length > MAX_SECAGG_CLIENTS) throw fail(`${what}: not an array of at most ${MAX_SECAGG_CLIENTS} shares`);
  for (const sh of list as SecAggShare[]) {
    if (typeof sh !== 'object' || sh === null || !Number.isInteger(sh.x) || sh.x < 1 || typeof sh.y !== 'string') throw fail(`${what}: a share is not { ownerId, x, y }`);
    checkId(`${what} ownerId`, sh.ownerId);
  }
}
