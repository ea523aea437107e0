import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';
import { targetTenant } from '../principal.js';
import { commonErrors, tenantIdSchema } from './response-schemas.js';

export async function enrollmentRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { enrollment } = deps.config;
  app.post<{ Body: { ttlMs?: number; tenantId?: string } | undefined }>(
    '/api/v1/enrollment-tokens',
    {
      schema: {
        tags: ['enrollment'],
        summary: "Create a one-time enrollment token; it is in this answer only (the hub keeps its hash). The gateway it enrolls belongs to the caller's tenant",
        description: 'The hub API token may name the tenant (`tenantId`, default `default`); a tenant token may name only its own.',
        response: {
          201: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'integer' }, tenantId: { type: 'string' } } },
          400: commonErrors[400],
          401: commonErrors[401],
          403: commonErrors[403],
          404: commonErrors[404],
        },
        body: { type: ['object', 'null'], additionalProperties: false, properties: { ttlMs: { type: 'integer', minimum: 1000, maximum: enrollment.maxTokenTtlMs }, tenantId: tenantIdSchema } },
      },
      config: { apiRole: 'operator' },
    },
    async (request, reply) => {
      const tenantId = targetTenant(request, request.body?.tenantId, deps.store.tenants);
      const created = deps.store.enrollment.createToken(request.body?.ttlMs ?? enrollment.defaultTokenTtlMs, deps.now(), tenantId);
      // The token is shown once, here; only its hash is stored.
      return reply.status(201).send({ token: created.token, expiresAt: created.expiresAt, tenantId });
    },
  );
}
