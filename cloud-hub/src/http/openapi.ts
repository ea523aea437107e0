import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_SESSION_COOKIE } from '../console/console-sessions.js';
import { sharedSchemas } from './routes/response-schemas.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const API_DOCS_PREFIX = '/api/docs';

const TAGS = [
  { name: 'fleet', description: 'Gateways: health, power mode, revocation, sync counts' },
  { name: 'enrollment', description: 'One-time enrollment tokens' },
  { name: 'tenants', description: 'Tenants and their API tokens with roles (viewer, auditor, operator, admin)' },
  { name: 'data', description: 'What gateways synced: alerts, summaries, device state with battery forecasts' },
  { name: 'devices', description: 'Device shadows and commands' },
  { name: 'federation', description: 'Federated learning: federations, their rounds, export of the global model' },
  { name: 'health', description: 'Probes and metrics' },
  { name: 'console', description: "The ops console's login session" },
  { name: 'docs', description: 'This document' },
];

/**
 * OpenAPI 3 generated from the route schemas: the document at /api/v1/openapi.json and a browsable page at
 * /api/docs, both behind the API's authentication. Call on the root instance before any route plugin is
 * registered: the generator learns routes as they are added.
 */
export function registerOpenApi(app: FastifyInstance, options: { version: string }): void {
  for (const schema of sharedSchemas) app.addSchema(schema);
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Outpost hub API', version: options.version, description: 'The cloud hub\'s admin API. Authenticate with `Authorization: Bearer <api token>` (the hub API token, over every tenant, or a tenant\'s API token with its role), or with the ops console\'s session cookie (state-changing calls then need `x-csrf-token`). Each operation needs a least role (`x-outpost-role`); another tenant\'s resources answer 404.' },
      tags: TAGS,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'The hub API token (`<dataDir>/api-token`, or `http.apiToken`), or a tenant API token (POST /api/v1/api-tokens).' },
          consoleSession: { type: 'apiKey', in: 'cookie', name: CONSOLE_SESSION_COOKIE, description: 'Set by POST /console/api/login; with it, POST/PUT/DELETE need the x-csrf-token header from GET /console/api/session.' },
        },
      },
      security: [{ bearerAuth: [] }, { consoleSession: [] }],
    },
    // Each operation shows the least role it needs, from the route's config (what the auth hook enforces).
    transform: ({ schema, url, route }) => {
      const role = (route.config as { apiRole?: string } | undefined)?.apiRole;
      return { schema: schema && role && role !== 'public' ? ({ ...schema, 'x-outpost-role': role } as typeof schema) : schema, url };
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  void app.register(fastifySwaggerUi, { routePrefix: API_DOCS_PREFIX, staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: false, validatorUrl: null } });
  // In a plugin of its own, so that it is registered after the generator and appears in the document too.
  void app.register(async (scope) => {
    scope.get(OPENAPI_PATH, { schema: { tags: ['docs'], summary: 'This API as an OpenAPI 3.1 document' }, config: { apiRole: 'viewer' } }, async () => scope.swagger());
  });
}
