import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Tokens and gateway secrets are 256-bit random values, so a fast hash is enough: there is nothing to
// guess, and a slow hash would only cost CPU on every stream start.

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A one-time enrollment token: `oet_` + 43 base64url characters (256 bits). */
export function newEnrollmentToken(): string {
  return `oet_${randomBytes(32).toString('base64url')}`;
}

/** An API token: `oat_` + 43 base64url characters (256 bits). */
export function newApiToken(): string {
  return `oat_${randomBytes(32).toString('base64url')}`;
}

/** An API token's id (shown in lists, used to revoke it, carried by console sessions): `atk-` + 16 hex digits. */
export function newApiTokenId(): string {
  return `atk-${randomBytes(8).toString('hex')}`;
}

/** A gateway id: `gw-` + 16 hex digits (never contains the credential separator `.`). */
export function newGatewayId(): string {
  return `gw-${randomBytes(8).toString('hex')}`;
}

/** A gateway secret: 256 bits, base64url. */
export function newGatewaySecret(): string {
  return randomBytes(32).toString('base64url');
}

const GATEWAY_ID = /^gw-[0-9a-f]{16}$/;

/** Split `<gatewayId>.<secret>`; null when malformed. */
export function parseCredential(credential: string): { gatewayId: string; secret: string } | null {
  const dot = credential.indexOf('.');
  if (dot < 0) return null;
  const gatewayId = credential.slice(0, dot);
  const secret = credential.slice(dot + 1);
  if (!GATEWAY_ID.test(gatewayId) || secret.length < 16 || secret.length > 128) return null;
  return { gatewayId, secret };
}

/** Constant-time comparison of a secret with its stored SHA-256 (hex). */
export function secretMatches(secret: string, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  const actual = createHash('sha256').update(secret).digest();
  return stored.length === actual.length && timingSafeEqual(stored, actual);
}
