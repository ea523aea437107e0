import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors.js';
import { ROLES, type Role } from '../accounts.js';
import { SESSION_COOKIE, type UiDeps } from '../ui-context.js';

/** Log in and out, the current session with its CSRF token, and (admins) the user list. */
export async function sessionRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { ui } = deps;
  const log = app.log.child({ module: 'ui-auth' });
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, path: '/', maxAge: Math.floor(ui.config.ui.sessionTtlMs / 1000) };

  app.get('/ui/api/session', { config: { public: true } }, async (request, reply) => {
    const csrfToken = reply.generateCsrf();
    const a = request.account;
    return { user: a ? { username: a.username, role: a.role } : null, csrfToken };
  });

  app.post<{ Body: { username: string; password: string } }>(
    '/ui/api/login',
    {
      config: { public: true },
      schema: { body: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } } } },
    },
    async (request, reply) => {
      const { username } = request.body;
      const outcome = await ui.accounts.login(username, request.body.password);
      if (!outcome.ok) {
        ui.loginCounter.inc({ outcome: outcome.reason });
        if (outcome.reason === 'locked') {
          log.warn({ event: 'ui-login-locked', username, address: request.ip, lockedUntil: outcome.lockedUntil, failures: outcome.failures }, 'login refused: account locked');
          throw new GatewayError('GW_ERR_ACCOUNT_LOCKED', `too many failed passwords; try again after ${new Date(outcome.lockedUntil!).toISOString()}`);
        }
        log.warn({ event: 'ui-login-failed', username, address: request.ip, failures: outcome.failures }, 'login failed');
        throw new GatewayError('GW_ERR_LOGIN', 'wrong user name or password');
      }
      ui.loginCounter.inc({ outcome: 'ok' });
      log.info({ event: 'ui-login', username, role: outcome.account.role, address: request.ip }, 'logged in');
      const old = request.cookies[SESSION_COOKIE];
      if (old) ui.sessions.remove(old);
      void reply.setCookie(SESSION_COOKIE, ui.sessions.create(outcome.account.id), cookieOptions);
      return { user: { username: outcome.account.username, role: outcome.account.role } };
    },
  );

  app.post('/ui/api/logout', { config: { public: true } }, async (request, reply) => {
    const id = request.cookies[SESSION_COOKIE];
    if (id) ui.sessions.remove(id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/ui/api/users', { config: { role: 'admin' } }, async () => ({ users: ui.accounts.list() }));

  app.post<{ Body: { username: string; password: string; role: Role } }>(
    '/ui/api/users',
    {
      config: { role: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password', 'role'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 8, maxLength: 256 }, role: { type: 'string', enum: [...ROLES] } },
        },
      },
    },
    async (request, reply) => {
      const account = await ui.accounts.add(request.body.username, request.body.password, request.body.role);
      log.info({ event: 'ui-user-added', username: account.username, role: account.role, by: request.account!.username }, 'user added');
      return reply.status(201).send(account);
    },
  );
}
