import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HttpDeps } from '../create-http.js';
import { commonErrors, ref } from './response-schemas.js';
import { tenantScope } from '../principal.js';
import { deviceParams, requireGateway } from './route-schemas.js';

type Params = { Params: { id: string; deviceId: string } };

export async function commandRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store, registry } = deps;
  const { commands } = deps.config;

  app.post<Params & { Body: { name: string; args?: Record<string, unknown>; ttlMs?: number } }>(
    '/api/v1/gateways/:id/devices/:deviceId/commands',
    {
      schema: {
        tags: ['devices'],
        summary: 'Queue a command for a device (sent when the gateway is connected, until it expires)',
        response: { 201: ref('Command'), ...commonErrors, 409: commonErrors[400], 429: commonErrors[400] },
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
      config: { apiRole: 'operator' },
    },
    async (request, reply) => {
      const gateway = requireGateway(store, request.params.id, tenantScope(request));
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
    {
      schema: {
        tags: ['devices'],
        summary: "A device's commands, newest first",
        params: deviceParams,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: { type: 'object', properties: { commands: { type: 'array', items: ref('Command') } } }, ...commonErrors },
      },
      config: { apiRole: 'viewer' },
    },
    async (request) => {
      requireGateway(store, request.params.id, tenantScope(request));
      return { commands: store.commands.list(request.params.id, { deviceId: request.params.deviceId, limit: request.query.limit }) };
    },
  );

  const commandParams = { type: 'object', required: ['id', 'deviceId', 'commandId'], properties: { ...deviceParams.properties, commandId: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
  app.get<{ Params: { id: string; deviceId: string; commandId: string } }>(
    '/api/v1/gateways/:id/devices/:deviceId/commands/:commandId',
    { schema: { tags: ['devices'], summary: 'One command with its status and result', params: commandParams, response: { 200: ref('Command'), ...commonErrors } }, config: { apiRole: 'viewer' } },
    async (request) => {
      requireGateway(store, request.params.id, tenantScope(request));
      const command = store.commands.get(request.params.id, request.params.commandId);
      if (!command || command.deviceId !== request.params.deviceId) throw new HubError('HUB_ERR_COMMAND_NOT_FOUND', request.params.commandId);
      return command;
    },
  );
}
