import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function enrollmentRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { enrollment } = deps.config;
  app.post<{ Body: { ttlMs?: number } | undefined }>(
    '/api/v1/enrollment-tokens',
    {
      schema: {
        body: { type: ['object', 'null'], additionalProperties: false, properties: { ttlMs: { type: 'integer', minimum: 1000, maximum: enrollment.maxTokenTtlMs } } },
      },
    },
    async (request, reply) => {
      const created = deps.store.enrollment.createToken(request.body?.ttlMs ?? enrollment.defaultTokenTtlMs, deps.now());
      // The token is shown once, here; only its hash is stored.
      return reply.status(201).send({ token: created.token, expiresAt: created.expiresAt });
    },
  );
}
