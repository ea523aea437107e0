import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The console's login cookie: HttpOnly, SameSite=Strict, path `/`. */
export const CONSOLE_SESSION_COOKIE = 'outpost_hub_session';
/** A console session lasts this long from login (there is no sliding renewal: the cookie is signed, not stored). */
export const CONSOLE_SESSION_TTL_MS = 12 * 3_600_000;
/** Logged-out sessions remembered until they expire; past it the oldest is forgotten (policy when full: drop oldest). */
const MAX_ENDED_SESSIONS = 10_000;

const b64 = (buf: Buffer) => buf.toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Console sessions without a session table: the cookie is `<expiresAt>.<subject>.<nonce>.<mac>`, signed with
 * a key derived from the hub API token, so every hub process sharing the token accepts it and a new token ends
 * all sessions. The subject is `hub` (the hub API token) or the id of the tenant API token that logged in; the
 * caller looks that token up on every request, so revoking it ends its sessions too. The CSRF token is a second MAC of the cookie: a page must read it from GET /console/api/session
 * (same origin) and send it back in `x-csrf-token`.
 */
export function createConsoleSessions(apiToken: string, now: () => number = Date.now) {
  const key = createHmac('sha256', apiToken).update('outpost console session v1').digest();
  const mac = (text: string) => b64(createHmac('sha256', key).update(text).digest());
  const ended = new Map<string, number>();

  function forgetEnded(): void {
    const t = now();
    for (const [nonce, expiresAt] of ended) if (expiresAt <= t) ended.delete(nonce);
    while (ended.size >= MAX_ENDED_SESSIONS) ended.delete(ended.keys().next().value!);
  }

  function parse(cookie: string | undefined): { expiresAt: number; subject: string; nonce: string } | null {
    if (!cookie || cookie.length > 200) return null;
    const parts = cookie.split('.');
    if (parts.length !== 4) return null;
    const [expires, subject, nonce, sig] = parts as [string, string, string, string];
    if (!sameText(sig, mac(`${expires}.${subject}.${nonce}`))) return null;
    const expiresAt = Number(expires);
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= now() || ended.has(nonce)) return null;
    return { expiresAt, subject, nonce };
  }

  return {
    /** A new session cookie value for `subject` (`hub` or an API token id, without dots) and when it expires. */
    create(subject: string): { cookie: string; expiresAt: number } {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(subject)) throw new Error(`not a session subject: ${subject}`);
      const expiresAt = now() + CONSOLE_SESSION_TTL_MS;
      const body = `${expiresAt}.${subject}.${b64(randomBytes(18))}`;
      return { cookie: `${body}.${mac(body)}`, expiresAt };
    },
    /** The session's expiry and subject when the cookie is genuine, unexpired and not logged out; else null. */
    verify(cookie: string | undefined): { expiresAt: number; subject: string } | null {
      const session = parse(cookie);
      return session ? { expiresAt: session.expiresAt, subject: session.subject } : null;
    },
    csrfToken(cookie: string): string {
      return mac(`csrf.${cookie}`);
    },
    csrfValid(cookie: string, token: string | undefined): boolean {
      return typeof token === 'string' && sameText(token, mac(`csrf.${cookie}`));
    },
    /** Log out: this process refuses the cookie from now on (other processes see the browser drop it). */
    end(cookie: string | undefined): void {
      const session = parse(cookie);
      if (!session) return;
      forgetEnded();
      ended.set(session.nonce, session.expiresAt);
    },
  };
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
