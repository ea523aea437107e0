import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_SESSION_COOKIE, type ConsoleSessions } from '../console/console-sessions.js';
import { HubError } from '../errors.js';
import { type Principal, type Principals, type RouteRole, allows } from './principal.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const isDocsPage = (path: string) => path === '/api/docs' || path.startsWith('/api/docs/');

/**
 * Authentication and authorization, in this one place, for every route: each declares its least role in its
 * config (`public` routes need nothing). The caller is the hub API token (superuser over every tenant) or a
 * tenant's API token, as a bearer header or the console's session cookie; a request on a session cookie that
 * changes state must also carry the session's CSRF token. A path no route serves still needs a caller.
 */
export function createApiAuth(principals: Principals, sessions?: ConsoleSessions) {
  function caller(request: FastifyRequest): Principal | null {
    const header = request.headers.authorization ?? '';
    if (header) {
      // A wrong bearer token is refused even beside a valid cookie: the caller meant the token.
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      const principal = token && token.length <= 512 ? principals.fromToken(token) : null;
      if (!principal) throw new HubError('HUB_ERR_UNAUTHORIZED', 'send Authorization: Bearer <api token>');
      return principal;
    }
    const cookie = request.cookies?.[CONSOLE_SESSION_COOKIE];
    const session = sessions && cookie ? sessions.verify(cookie) : null;
    // The session's token is looked up on every request: a revoked token's sessions end at once.
    const principal = session ? principals.fromSubject(session.subject) : null;
    if (!principal) return null;
    if (!SAFE_METHODS.has(request.method) && !sessions!.csrfValid(cookie!, request.headers['x-csrf-token'] as string | undefined)) {
      request.log.warn({ event: 'console-csrf-refused', method: request.method, url: request.url.split('?', 1)[0] }, 'console request without a valid CSRF token refused');
      throw new HubError('HUB_ERR_CSRF', 'send the x-csrf-token header from GET /console/api/session');
    }
    return principal;
  }

  return async function apiAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const role = (request.routeOptions.config as { apiRole?: RouteRole } | undefined)?.apiRole;
    if (role === 'public') return;
    const principal = caller(request);
    if (!principal) {
      // A browser opening the API docs without a session logs in on the console first.
      if (sessions && request.method === 'GET' && isDocsPage(request.url.split('?', 1)[0]!)) return reply.redirect('/console/#/login', 303);
      throw new HubError('HUB_ERR_UNAUTHORIZED', 'send Authorization: Bearer <api token> (or log in on the console)');
    }
    if (role !== undefined && !allows(principal, role)) {
      throw new HubError('HUB_ERR_FORBIDDEN', `needs the ${role} role; this token is ${principal.role === 'superuser' ? 'the hub API token' : `a ${principal.role} token`}`);
    }
    request.principal = principal;
  };
}
