import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HubError } from '../errors.js';
import type { Principals } from '../http/principal.js';
import { CONSOLE_SESSION_COOKIE, type ConsoleSessions } from './console-sessions.js';
import { renderConsoleHtml } from './index-html.js';

/** Where `npm run build:console` puts the bundle (cloud-hub/console/build), from src/console or dist/console alike. */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../console/build/', import.meta.url));

// Everything the console loads comes from the hub itself: no CDN, nothing else may inject.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const errorSchema = { $ref: 'HubError#' } as const;

export interface ConsoleDeps {
  principals: Principals;
  sessions: ConsoleSessions;
  /** Built bundle directory; null when it was not built (the page then says how to build it). */
  assetsDir?: string | null;
}

/**
 * The ops console: its page at `/console/`, the bundle under `/console/assets/`, and login/logout. Logging
 * in trades an API token (the hub's, or a tenant's) for a session cookie; the console then calls the same
 * `/api/v1` routes with that token's tenant and role.
 */
export async function consolePlugin(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const assetsDir = deps.assetsDir !== undefined ? deps.assetsDir : existsSync(`${CONSOLE_ASSETS_DIR}console.js`) ? CONSOLE_ASSETS_DIR : null;
  const log = app.log.child({ module: 'console' });
  if (!assetsDir) log.warn({ event: 'console-not-built', dir: CONSOLE_ASSETS_DIR }, 'ops console bundle missing; run npm run build:console');

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  if (assetsDir) await app.register(fastifyStatic, { root: assetsDir, prefix: '/console/assets/', decorateReply: false, maxAge: 0, schemaHide: true });

  const page = async (_request: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderConsoleHtml(assetsDir));
  app.get('/console', { schema: { hide: true }, config: { apiRole: 'public' } }, async (_request, reply) => reply.redirect('/console/', 301));
  app.get('/console/', { schema: { hide: true }, config: { apiRole: 'public' } }, page);

  app.get(
    '/console/api/session',
    {
      schema: {
        tags: ['console'],
        summary: "The console session of this browser and its CSRF token (send it as x-csrf-token on POST, PUT and DELETE)",
        security: [],
        response: {
          200: {
            type: 'object',
            required: ['authenticated'],
            properties: {
              authenticated: { type: 'boolean' },
              expiresAt: { type: ['integer', 'null'] },
              csrfToken: { type: ['string', 'null'] },
              role: { type: ['string', 'null'], description: 'the role of the token that logged in; superuser for the hub API token' },
              tenantId: { type: ['string', 'null'], description: "the token's tenant; null for the hub API token (every tenant)" },
            },
          },
        },
      },
      config: { apiRole: 'public' },
    },
    async (request, reply) => {
      const cookie = request.cookies[CONSOLE_SESSION_COOKIE];
      const session = deps.sessions.verify(cookie);
      const principal = session ? deps.principals.fromSubject(session.subject) : null;
      void reply.header('cache-control', 'no-store');
      if (!session || !principal) return { authenticated: false, expiresAt: null, csrfToken: null, role: null, tenantId: null };
      return { authenticated: true, expiresAt: session.expiresAt, csrfToken: deps.sessions.csrfToken(cookie!), role: principal.role, tenantId: principal.tenantId };
    },
  );

  app.post<{ Body: { token: string } }>(
    '/console/api/login',
    {
      schema: {
        tags: ['console'],
        summary: "Log in with an API token (the hub's or a tenant's); sets an HttpOnly, SameSite=Strict session cookie",
        security: [],
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 512 } } },
        response: { 200: { type: 'object', properties: { expiresAt: { type: 'integer' }, csrfToken: { type: 'string' } } }, 401: errorSchema },
      },
      config: { apiRole: 'public' },
    },
    async (request, reply) => {
      const principal = deps.principals.fromToken(request.body.token);
      if (!principal) {
        log.warn({ event: 'console-login-failed', address: request.ip }, 'console login with a wrong token');
        throw new HubError('HUB_ERR_UNAUTHORIZED', 'that is not the hub API token, nor a live tenant API token');
      }
      deps.sessions.end(request.cookies[CONSOLE_SESSION_COOKIE]);
      const session = deps.sessions.create(deps.principals.subjectOf(principal));
      log.info({ event: 'console-login', address: request.ip, role: principal.role, tenantId: principal.tenantId, tokenId: principal.tokenId }, 'console login');
      void reply
        .setCookie(CONSOLE_SESSION_COOKIE, session.cookie, { httpOnly: true, sameSite: 'strict', secure: 'auto', path: '/', expires: new Date(session.expiresAt) })
        .header('cache-control', 'no-store');
      return { expiresAt: session.expiresAt, csrfToken: deps.sessions.csrfToken(session.cookie) };
    },
  );

  app.post(
    '/console/api/logout',
    { schema: { tags: ['console'], summary: 'End the console session of this browser', security: [], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } }, config: { apiRole: 'public' } },
    async (request, reply) => {
      deps.sessions.end(request.cookies[CONSOLE_SESSION_COOKIE]);
      void reply.clearCookie(CONSOLE_SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );
}
