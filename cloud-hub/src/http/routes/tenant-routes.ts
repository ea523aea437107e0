import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import { API_ROLES, type ApiRole, type ApiTokenRecord } from '../../store/hub-store.js';
import type { HttpDeps } from '../create-http.js';
import { principalOf, targetTenant, tenantScope } from '../principal.js';
import { commonErrors, errorRef, tenantIdSchema } from './response-schemas.js';

const tenantSchema = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'integer' } } } as const;
const apiTokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'what lists show and DELETE takes; never the token itself' },
    tenantId: { type: 'string' },
    role: { type: 'string', enum: [...API_ROLES] },
    name: { type: 'string' },
    createdAt: { type: 'integer' },
    revokedAt: { type: ['integer', 'null'] },
  },
} as const;
const tags = ['tenants'];

/** Tenants (the hub API token only) and each tenant's API tokens (its admins, or the hub API token). */
export async function tenantRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { tenants } = deps.store;

  app.post<{ Body: { id: string; name?: string } }>(
    '/api/v1/tenants',
    {
      schema: {
        tags,
        summary: 'Create a tenant (hub API token only)',
        body: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: tenantIdSchema, name: { type: 'string', minLength: 1, maxLength: 128 } } },
        response: { 201: tenantSchema, ...commonErrors, 409: errorRef },
      },
      config: { apiRole: 'superuser' },
    },
    async (request, reply) => {
      const created = tenants.create(request.body.id, request.body.name ?? request.body.id, deps.now());
      if (!created) throw new HubError('HUB_ERR_TENANT_EXISTS', request.body.id);
      request.log.info({ event: 'tenant-created', tenantId: created.id }, 'tenant created');
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/v1/tenants',
    { schema: { tags, summary: 'Every tenant (hub API token only)', response: { 200: { type: 'object', properties: { tenants: { type: 'array', items: tenantSchema } } }, ...commonErrors } }, config: { apiRole: 'superuser' } },
    async () => ({ tenants: tenants.list() }),
  );

  app.post<{ Body: { role: ApiRole; name?: string; tenantId?: string } }>(
    '/api/v1/api-tokens',
    {
      schema: {
        tags,
        summary: "Create an API token of the caller's tenant; the token is in this answer only (the hub keeps its SHA-256)",
        description: 'An admin token creates tokens of its own tenant; the hub API token names the tenant (`tenantId`, default `default`).',
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: { role: { type: 'string', enum: [...API_ROLES] }, name: { type: 'string', minLength: 1, maxLength: 128 }, tenantId: tenantIdSchema },
        },
        response: { 201: { type: 'object', properties: { ...apiTokenSchema.properties, token: { type: 'string' } } }, ...commonErrors },
      },
      config: { apiRole: 'admin' },
    },
    async (request, reply) => {
      const tenantId = targetTenant(request, request.body.tenantId, tenants);
      const { token, record } = tenants.createApiToken(tenantId, request.body.role, request.body.name ?? request.body.role, deps.now());
      request.log.info({ event: 'api-token-created', tokenId: record.id, tenantId, role: record.role, by: principalOf(request).tokenId ?? 'hub' }, 'API token created');
      return reply.status(201).send({ ...record, token });
    },
  );

  app.get<{ Querystring: { tenantId?: string } }>(
    '/api/v1/api-tokens',
    {
      schema: {
        tags,
        summary: "The API tokens of the caller's tenant (the hub API token: every tenant's, or `tenantId`'s), newest first",
        querystring: { type: 'object', additionalProperties: false, properties: { tenantId: tenantIdSchema } },
        response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: apiTokenSchema } } }, ...commonErrors },
      },
      config: { apiRole: 'admin' },
    },
    async (request) => ({ tokens: tenants.listApiTokens(tenantScope(request) ?? request.query.tenantId) }),
  );

  app.delete<{ Params: { tokenId: string } }>(
    '/api/v1/api-tokens/:tokenId',
    {
      schema: {
        tags,
        summary: 'Revoke an API token: it and its console sessions stop working at once',
        params: { type: 'object', required: ['tokenId'], properties: { tokenId: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: { 200: apiTokenSchema, ...commonErrors },
      },
      config: { apiRole: 'admin' },
    },
    async (request) => {
      const scope = tenantScope(request);
      const existing: ApiTokenRecord | undefined = tenants.getApiToken(request.params.tokenId);
      // Another tenant's token is "not found": its existence must not leak.
      if (!existing || (scope !== undefined && existing.tenantId !== scope)) throw new HubError('HUB_ERR_API_TOKEN_NOT_FOUND', request.params.tokenId);
      const revoked = tenants.revokeApiToken(existing.id, deps.now())!;
      request.log.info({ event: 'api-token-revoked', tokenId: revoked.id, tenantId: revoked.tenantId, by: principalOf(request).tokenId ?? 'hub' }, 'API token revoked');
      return revoked;
    },
  );
}
