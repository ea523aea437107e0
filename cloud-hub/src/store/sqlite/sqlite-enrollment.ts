import { DEFAULT_TENANT, type EnrollmentStore } from '../hub-store.js';
import { newEnrollmentToken, newGatewayId, newGatewaySecret, parseCredential, secretMatches, sha256Hex } from '../credentials.js';
import type { Db } from './database.js';

export function createSqliteEnrollment(db: Db): EnrollmentStore {
  const insertToken = db.prepare('INSERT INTO enrollment_tokens (token_hash, created_at, expires_at, tenant_id) VALUES (?, ?, ?, ?)');
  const tokenTenant = db.prepare<[string], { tenant_id: string }>('SELECT tenant_id FROM enrollment_tokens WHERE token_hash = ?');
  // The token is consumed by the UPDATE itself: two concurrent enrollments cannot both see it unused.
  const useToken = db.prepare('UPDATE enrollment_tokens SET used_at = ?, used_by = ?, request_hash = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?');
  const retriedBy = db.prepare<[string, string, number], { used_by: string }>(
    `SELECT t.used_by FROM enrollment_tokens t JOIN gateways g ON g.id = t.used_by
     WHERE t.token_hash = ? AND t.request_hash = ? AND t.expires_at > ? AND g.last_seen_at IS NULL AND g.revoked_at IS NULL`,
  );
  const rotateSecret = db.prepare('UPDATE gateways SET secret_hash = ? WHERE id = ?');
  // The gateway belongs to the tenant of the token it enrolled with.
  const insertGateway = db.prepare('INSERT INTO gateways (id, name, secret_hash, enrolled_at, software_version, tenant_id) VALUES (?, ?, ?, ?, ?, ?)');
  const findGateway = db.prepare<[string], { secret_hash: string; revoked_at: number | null }>('SELECT secret_hash, revoked_at FROM gateways WHERE id = ?');

  const enroll = db.transaction((tokenHash: string, name: string, softwareVersion: string, requestId: string, nowMs: number) => {
    const requestHash = requestId ? sha256Hex(requestId) : null;
    const gatewayId = newGatewayId();
    if (useToken.run(nowMs, gatewayId, requestHash, tokenHash, nowMs).changes !== 1) {
      const retry = requestHash ? retriedBy.get(tokenHash, requestHash, nowMs) : undefined;
      if (!retry) return null;
      const secret = newGatewaySecret();
      rotateSecret.run(sha256Hex(secret), retry.used_by);
      return { gatewayId: retry.used_by, credential: `${retry.used_by}.${secret}` };
    }
    const secret = newGatewaySecret();
    insertGateway.run(gatewayId, name, sha256Hex(secret), nowMs, softwareVersion, tokenTenant.get(tokenHash)!.tenant_id);
    return { gatewayId, credential: `${gatewayId}.${secret}` };
  });

  return {
    createToken(ttlMs, nowMs, tenantId = DEFAULT_TENANT) {
      const token = newEnrollmentToken();
      const expiresAt = nowMs + ttlMs;
      insertToken.run(sha256Hex(token), nowMs, expiresAt, tenantId);
      return { token, expiresAt };
    },
    enroll(token, gateway, nowMs) {
      return enroll.immediate(sha256Hex(token), gateway.name, gateway.softwareVersion, gateway.requestId ?? '', nowMs);
    },
    authenticate(credential) {
      const parsed = parseCredential(credential);
      if (!parsed) return null;
      const row = findGateway.get(parsed.gatewayId);
      if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
      return { gatewayId: parsed.gatewayId, revoked: row.revoked_at !== null };
    },
  };
}
