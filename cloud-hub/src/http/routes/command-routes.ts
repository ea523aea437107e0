import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HttpDeps } from '../create-http.js';
import { deviceParams, requireGateway } from './route-schemas.js';

type Params = { Params: { id: string; deviceId: string } };

export async function commandRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store, registry } = deps;
  const { commands } = deps.config;

  app.post<Params & { Body: { name: string; args?: Record<string, unknown>; ttlMs?: number } }>(
    '/api/v1/gateways/:id/devices/:deviceId/commands',
    {
      schema: {
        params: deviceParams,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' },
            args: { type: 'object' },
            ttlMs: { type: 'integer', minimum: 1000, maximum: commands.maxTtlMs },
          },
        },
      },
    },
    async (request, reply) => {
      const gateway = requireGateway(store, request.params.id);
      if (gateway.revokedAt !== null) throw new HubError('HUB_ERR_GATEWAY_REVOKED', gateway.id);
      // Bounded: a gateway that stays offline cannot make the hub hold an unlimited command queue.
      if (store.commands.pendingCount(gateway.id) >= commands.maxPendingPerGateway) {
        throw new HubError('HUB_ERR_TOO_MANY_COMMANDS', `${commands.maxPendingPerGateway} pending for ${gateway.id}`);
      }
      const { name, args = {}, ttlMs = commands.defaultTtlMs } = request.body;
      const command = store.commands.create(gateway.id, request.params.deviceId, { name, args, ttlMs }, deps.now());
      registry.kick(gateway.id);
      return reply.status(201).send(command);
    },
  );

  app.get<Params & { Querystring: { limit: number } }>(
    '/api/v1/gateways/:id/devices/:deviceId/commands',
    { schema: { params: deviceParams, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } } } },
    async (request) => {
      requireGateway(store, request.params.id);
      return { commands: store.commands.list(request.params.id, { deviceId: request.params.deviceId, limit: request.query.limit }) };
    },
  );

  app.get<{ Params: { id: string; deviceId: string; commandId: string } }>('/api/v1/gateways/:id/devices/:deviceId/commands/:commandId', async (request) => {
    const command = store.commands.get(request.params.id, request.params.commandId);
    if (!command || command.deviceId !== request.params.deviceId) throw new HubError('HUB_ERR_COMMAND_NOT_FOUND', request.params.commandId);
    return command;
  });
}
