import { type ApiRole, type ApiTokenRecord, type TenantRecord, type TenantStore } from '../hub-store.js';
import { newApiToken, newApiTokenId, sha256Hex } from '../credentials.js';
import type { Db } from './database.js';

interface TokenRow {
  id: string;
  tenant_id: string;
  role: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

const TOKEN_COLUMNS = 'id, tenant_id, role, name, created_at, revoked_at';

const toToken = (r: TokenRow): ApiTokenRecord => ({ id: r.id, tenantId: r.tenant_id, role: r.role as ApiRole, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at });
const toTenant = (r: { id: string; name: string; created_at: number }): TenantRecord => ({ id: r.id, name: r.name, createdAt: r.created_at });

export function createSqliteTenants(db: Db): TenantStore {
  const insertTenant = db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING');
  const selectTenant = db.prepare<[string], { id: string; name: string; created_at: number }>('SELECT id, name, created_at FROM tenants WHERE id = ?');
  const selectTenants = db.prepare<[], { id: string; name: string; created_at: number }>('SELECT id, name, created_at FROM tenants ORDER BY created_at, id');
  const insertToken = db.prepare('INSERT INTO api_tokens (id, tenant_id, role, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const selectToken = db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`);
  const selectByHash = db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?`);
  const selectAllTokens = db.prepare<[], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, id`);
  const selectTenantTokens = db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE tenant_id = ? ORDER BY created_at DESC, id`);
  const revokeToken = db.prepare('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');

  return {
    create(id, name, nowMs) {
      if (insertTenant.run(id, name, nowMs).changes !== 1) return null;
      return { id, name, createdAt: nowMs };
    },
    get(id) {
      const row = selectTenant.get(id);
      return row ? toTenant(row) : undefined;
    },
    list: () => selectTenants.all().map(toTenant),
    createApiToken(tenantId, role, name, nowMs) {
      const token = newApiToken();
      const record: ApiTokenRecord = { id: newApiTokenId(), tenantId, role, name, createdAt: nowMs, revokedAt: null };
      insertToken.run(record.id, tenantId, role, name, sha256Hex(token), nowMs);
      return { token, record };
    },
    getApiToken(id) {
      const row = selectToken.get(id);
      return row ? toToken(row) : undefined;
    },
    listApiTokens: (tenantId) => (tenantId === undefined ? selectAllTokens.all() : selectTenantTokens.all(tenantId)).map(toToken),
    revokeApiToken(id, nowMs) {
      revokeToken.run(nowMs, id);
      const row = selectToken.get(id);
      return row ? toToken(row) : undefined;
    },
    // The token is 256 random bits: looking its hash up in an index leaks nothing a guesser could use.
    findApiToken(token) {
      const row = selectByHash.get(sha256Hex(token));
      return row ? toToken(row) : undefined;
    },
  };
}
