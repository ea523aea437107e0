import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { Db } from '../store/database.js';
import { hashSecret, verifySecret } from '../store/secret-hash.js';

export const ROLES = ['viewer', 'technician', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Account {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
  lastLoginAt: number | null;
  lockedUntil: number | null;
}

interface AccountRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  created_at: number;
  failed_logins: number;
  locked_until: number | null;
  last_login_at: number | null;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const toAccount = (r: AccountRow): Account => ({ id: r.id, username: r.username, role: r.role, createdAt: r.created_at, lastLoginAt: r.last_login_at, lockedUntil: r.locked_until });

export interface AccountsOptions {
  scryptCost: number;
  lockoutAfterFailures: number;
  lockoutMs: number;
}

export type LoginOutcome = { ok: true; account: Account } | { ok: false; reason: 'bad-credentials' | 'locked'; lockedUntil?: number; failures?: number };

/** Local technician accounts. Passwords are scrypt hashes; repeated failures lock an account for a while. */
export function createAccounts(db: Db, options: AccountsOptions) {
  const stmts = {
    count: db.prepare('SELECT COUNT(*) FROM ui_users').pluck(),
    byName: db.prepare<[string], AccountRow>('SELECT * FROM ui_users WHERE username = ?'),
    byId: db.prepare<[number], AccountRow>('SELECT * FROM ui_users WHERE id = ?'),
    list: db.prepare<[], AccountRow>('SELECT * FROM ui_users ORDER BY username'),
    insert: db.prepare('INSERT INTO ui_users (username, role, password_hash, created_at, failed_logins) VALUES (?, ?, ?, ?, 0)'),
    failed: db.prepare('UPDATE ui_users SET failed_logins = failed_logins + 1 WHERE id = ?'),
    lock: db.prepare('UPDATE ui_users SET locked_until = ?, failed_logins = 0 WHERE id = ?'),
    success: db.prepare('UPDATE ui_users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?'),
  };
  // Same cost for unknown names as for known ones, so timing does not reveal which names exist.
  let dummyHash: Promise<string> | null = null;

  async function add(username: string, password: string, role: Role): Promise<Account> {
    if (!USERNAME_PATTERN.test(username)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'user names are 1-64 characters of [A-Za-z0-9_.@-]');
    if (password.length < 8) throw new GatewayError('GW_ERR_BAD_REQUEST', 'passwords have at least 8 characters');
    if (stmts.byName.get(username)) throw new GatewayError('GW_ERR_USER_EXISTS', username);
    const hash = await hashSecret(password, options.scryptCost);
    const id = Number(stmts.insert.run(username, role, hash, Date.now()).lastInsertRowid);
    return toAccount(stmts.byId.get(id)!);
  }

  return {
    add,
    list: (): Account[] => stmts.list.all().map(toAccount),
    get: (id: number): Account | undefined => {
      const row = stmts.byId.get(id);
      return row ? toAccount(row) : undefined;
    },
    /**
     * Create the first admin when there is no account yet: with the configured password, or a generated
     * one that the caller shows once. Returns the generated password, or null.
     */
    async ensureAdmin(configured: string | undefined): Promise<string | null> {
      if ((stmts.count.get() as number) > 0) return null;
      const password = configured ?? randomBytes(12).toString('base64url');
      await add('admin', password, 'admin');
      return configured ? null : password;
    },
    async login(username: string, password: string, now = Date.now()): Promise<LoginOutcome> {
      const row = stmts.byName.get(username);
      if (!row) {
        dummyHash ??= hashSecret(randomBytes(16).toString('hex'), options.scryptCost);
        await verifySecret(password, await dummyHash);
        return { ok: false, reason: 'bad-credentials' };
      }
      if (row.locked_until !== null && row.locked_until > now) return { ok: false, reason: 'locked', lockedUntil: row.locked_until };
      if (await verifySecret(password, row.password_hash)) {
        stmts.success.run(now, row.id);
        return { ok: true, account: toAccount({ ...row, last_login_at: now, locked_until: null }) };
      }
      stmts.failed.run(row.id);
      const failures = row.failed_logins + 1;
      if (failures >= options.lockoutAfterFailures) {
        const lockedUntil = now + options.lockoutMs;
        stmts.lock.run(lockedUntil, row.id);
        return { ok: false, reason: 'locked', lockedUntil, failures };
      }
      return { ok: false, reason: 'bad-credentials', failures };
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;

/** Roles in increasing power: an admin may do what a technician may, who may do what a viewer may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
