import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.js';
import { targetTenant, tenantScope } from '../http/principal.js';
import type { TenantStore } from '../store/hub-store.js';
import type { FederationCoordinator } from './coordinator.js';
import { exportFederatedModel } from './export-model.js';
import type { HeldOutSource } from './held-out.js';

export interface FederationRouteDeps {
  coordinator: FederationCoordinator;
  heldOut: HeldOutSource;
  /** Where exported models are written (`<dataDir>/federation-exports/<id>/`). */
  dataDir: string;
  tenants: TenantStore;
}

const open = { type: 'object', additionalProperties: true } as const;
const error = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, retryable: { type: 'boolean' } } } } } as const;
const errors = { 400: error, 401: error, 403: error, 404: error, 409: error, 429: error } as const;
const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const tags = ['federation'];

type Params = { Params: { id: string } };

/** Federated learning: create, watch, stop, and export a federation's global model (docs/federated-learning.md). */
export async function federationRoutes(app: FastifyInstance, deps: FederationRouteDeps): Promise<void> {
  const { coordinator } = deps;

  app.post(
    '/api/v1/federations',
    {
      schema: {
        tags,
        summary: 'Create and start a federation',
        description:
          "The body is validated by the coordinator; every bad field or combination gets HUB_ERR_FL_CONFIG with the reason. The federation belongs to the caller's tenant and trains on that tenant's gateways only; the hub API token may name the tenant (`tenantId`, default `default`).",
        body: open,
        response: { 201: open, ...errors },
      },
      config: { apiRole: 'operator' },
    },
    async (request, reply) => {
      const { tenantId, ...config } = (request.body ?? {}) as Record<string, unknown>;
      if (tenantId !== undefined && typeof tenantId !== 'string') throw new HubError('HUB_ERR_FL_CONFIG', 'tenantId must be a string');
      return reply.status(201).send(coordinator.create(config, targetTenant(request, tenantId, deps.tenants)));
    },
  );

  app.get('/api/v1/federations', { schema: { tags, summary: 'Every federation with its round history', response: { 200: { type: 'object', properties: { federations: { type: 'array', items: open } } }, ...errors } }, config: { apiRole: 'viewer' } }, async (request) => ({
    federations: coordinator.list(tenantScope(request)),
  }));

  app.get<Params>(
    '/api/v1/federations/:id',
    { schema: { tags, summary: 'One federation: configuration, status, round history (selected, completed, dropped, aggregate norm, AUC, privacy spent, bytes)', params, response: { 200: open, ...errors } }, config: { apiRole: 'viewer' } },
    async (request) => coordinator.get(request.params.id, tenantScope(request)),
  );

  app.post<Params>(
    '/api/v1/federations/:id/stop',
    { schema: { tags, summary: 'Stop a running federation (its current round is abandoned)', params, response: { 200: open, ...errors } }, config: { apiRole: 'operator' } },
    async (request) => coordinator.stop(request.params.id, tenantScope(request)),
  );

  app.post<Params>(
    '/api/v1/federations/:id/export',
    {
      schema: {
        tags,
        summary: 'Write the global model as an ONNX model artifact with its model card, and return it',
        description: 'Offer it to a gateway by hand: copy the files there and call that gateway\'s POST /api/v1/runtime/models/offer.',
        params,
        response: { 200: open, ...errors },
      },
      config: { apiRole: 'operator' },
    },
    async (request) => {
      const { config, round, params: global, view } = coordinator.globalModel(request.params.id, tenantScope(request));
      return exportFederatedModel({
        federationId: request.params.id,
        config,
        round,
        params: global,
        rounds: view.rounds,
        heldOut: deps.heldOut.get(config.profile, config.evaluationSeed),
        outDir: join(deps.dataDir, 'federation-exports', request.params.id),
      });
    },
  );
}
