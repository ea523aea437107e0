import { reportingPolicySchema } from '@outpost/protocols';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { HttpDeps } from '../create-http.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * A device's reporting policy: set here, stored, and published retained on the device's config topic
 * (merged over the hub's desired config). `adaptive` is the gateway side of adaptive reporting.
 */
export async function reportingRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { registry, power } = deps;
  const mustExist = (id: string) => {
    const device = registry.get(id);
    if (!device) throw new GatewayError('GW_ERR_DEVICE_NOT_FOUND', id);
    return device;
  };
  const view = (id: string) => ({ ...power.configs.view(id), adaptive: power.adaptive.status(id) });

  app.get<{ Params: { id: string } }>('/api/v1/devices/:id/reporting', { schema: { params: idParams } }, async (request) => {
    mustExist(request.params.id);
    return view(request.params.id);
  });

  app.put<{ Params: { id: string }; Body: unknown }>('/api/v1/devices/:id/reporting', { schema: { params: idParams, body: { type: 'object' } } }, async (request) => {
    const device = mustExist(request.params.id);
    if (device.revokedAt !== null) throw new GatewayError('GW_ERR_BAD_REQUEST', `${device.id} is revoked`);
    const parsed = reportingPolicySchema.safeParse(request.body);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'policy'}: ${i.message}`).join('; ');
      throw new GatewayError('GW_ERR_BAD_REQUEST', `invalid reporting policy: ${detail}`);
    }
    const config = power.configs.setPolicy(device.id, parsed.data);
    request.log.info({ event: 'reporting-policy-set', deviceId: device.id, mode: parsed.data.mode, configVersion: config.configVersion }, 'reporting policy set');
    return { ...view(device.id), config };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/devices/:id/reporting', { schema: { params: idParams } }, async (request) => {
    const device = mustExist(request.params.id);
    const config = power.configs.clearPolicy(device.id);
    if (config) request.log.info({ event: 'reporting-policy-cleared', deviceId: device.id, configVersion: config.configVersion }, 'reporting policy cleared');
    return { ...view(device.id), config };
  });
}
