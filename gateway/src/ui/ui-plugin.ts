import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';
import { httpErrorHandler } from '../http/error-handler.js';
import { roleAtLeast } from './accounts.js';
import { alertRoutes } from './routes/alert-routes.js';
import { deviceUiRoutes } from './routes/device-ui-routes.js';
import { attachLiveSocket } from './routes/live-route.js';
import { overviewRoutes } from './routes/overview-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { renderIndexHtml } from './index-html.js';
import { SESSION_COOKIE, type UiDeps, type UiRouteConfig } from './ui-context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Everything the page loads comes from this gateway: it must work with no uplink, and nothing else may inject.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * The technician UI: the page at `/`, its bundle under `/ui/assets/`, and its JSON API under `/ui/api/`
 * with cookie sessions, roles and CSRF tokens — separate from the bearer-token `/api/v1`.
 */
export async function uiPlugin(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { ui } = deps;
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'outpost_csrf',
    cookieOpts: { httpOnly: true, sameSite: 'strict', path: '/', signed: false },
    getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
  });
  if (ui.assetsDir) await app.register(fastifyStatic, { root: ui.assetsDir, prefix: '/ui/assets/', decorateReply: false, cacheControl: true, maxAge: 0 });

  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => {
    const code = (err as FastifyError).code;
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      request.log.warn({ event: 'ui-csrf-refused', url: request.url, user: request.account?.username }, 'request without a valid CSRF token refused');
      return httpErrorHandler(new GatewayError('GW_ERR_CSRF', 'send the x-csrf-token header from GET /ui/api/session'), request, reply);
    }
    return httpErrorHandler(err, request, reply);
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    const routeConfig = request.routeOptions.config as UiRouteConfig;
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) {
      const userId = ui.sessions.lookup(sessionId);
      const account = userId === null ? undefined : ui.accounts.get(userId);
      if (account) request.account = account;
    }
    if (!SAFE_METHODS.has(request.method)) {
      await new Promise<void>((resolve, reject) => app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve())));
    }
    // The bundle's static routes (registered by @fastify/static) carry no route config.
    if (routeConfig.public || request.routeOptions.url?.startsWith('/ui/assets/')) return;
    if (!request.account) throw new GatewayError('GW_ERR_UNAUTHORIZED', 'log in first');
    if (routeConfig.role && !roleAtLeast(request.account.role, routeConfig.role)) {
      throw new GatewayError('GW_ERR_FORBIDDEN', `${request.account.role} may not do this; it needs ${routeConfig.role}`);
    }
  });

  app.get('/', { config: { public: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderIndexHtml(ui.assetsDir)));

  await app.register(sessionRoutes, deps);
  await app.register(overviewRoutes, deps);
  await app.register(deviceUiRoutes, deps);
  await app.register(alertRoutes, deps);
  await app.register(settingsRoutes, deps);
  attachLiveSocket(app, deps);
}
