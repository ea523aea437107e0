import { encodeMessage, localTopics } from '@outpost/protocols';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { HttpDeps } from '../create-http.js';

const offerBody = {
  type: 'object',
  required: ['manifestPath', 'sha256'],
  additionalProperties: false,
  properties: { manifestPath: { type: 'string', minLength: 1, maxLength: 1024 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
} as const;

export async function runtimeRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  /** Alerts stored from edge-runtime, newest first, with the technicians' acknowledgements and labels. */
  app.get<{ Querystring: { device?: string; severity?: 'info' | 'warning' | 'critical'; limit: number } }>(
    '/api/v1/alerts',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            device: { type: 'string', minLength: 1, maxLength: 64 },
            severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => {
      if (!deps.ui) throw new GatewayError('GW_ERR_NOT_FOUND', 'alerts are served with the UI parts');
      return deps.ui.alerts.list({ state: 'all', deviceId: request.query.device, severity: request.query.severity, limit: request.query.limit });
    },
  );

  /** The edge-runtime child (supervisor state, restarts), the readings feed, and the runtime's own last status. */
  app.get('/api/v1/runtime', async () => deps.runtime.status());

  /**
   * Offer edge-runtime a model already on this machine. The answer is only "offered": edge-runtime checks the
   * sha256 and the graph, then swaps or refuses, and says which in its status (GET /api/v1/runtime).
   */
  app.post<{ Body: { manifestPath: string; sha256: string } }>('/api/v1/runtime/models/offer', { schema: { body: offerBody } }, async (request, reply) => {
    if (!deps.runtime.status().feed.runtimeConnected) throw new GatewayError('GW_ERR_RUNTIME_UNAVAILABLE', 'edge-runtime is not connected to the broker');
    const offerId = randomUUID();
    const payload = encodeMessage('localModelOffer', { v: 1, offerId, manifestPath: request.body.manifestPath, sha256: request.body.sha256 });
    await deps.runtime.publish(localTopics.modelOffer(), payload);
    return reply.status(202).send({ offerId });
  });
}
