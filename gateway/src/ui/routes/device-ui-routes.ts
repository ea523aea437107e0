import { deviceTopics } from '@outpost/protocols';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { GatewayError } from '../../errors.js';
import type { UiDeps } from '../ui-context.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** Devices for technicians: list and search, add (credentials and QR shown once), revoke, detail, commands. */
export async function deviceUiRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { registry, ui } = deps;
  const log = app.log.child({ module: 'ui-devices' });
  const mustExist = (id: string) => {
    const device = registry.get(id);
    if (!device) throw new GatewayError('GW_ERR_DEVICE_NOT_FOUND', id);
    return { ...device, connected: deps.isConnected(id), batteryForecast: deps.power.batteryForecast(id) };
  };

  /** Where a device on the technician's network reaches the broker: the configured host, else the host the browser used. */
  function brokerFor(request: FastifyRequest) {
    const ports = ui.mqttPorts();
    const host = ui.config.mqtt.host === '0.0.0.0' || ui.config.mqtt.host === '::' ? request.hostname.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') : ui.config.mqtt.host;
    return { host, port: ports?.mqttPort ?? ui.config.mqtt.port, ...(ports?.wsPort ? { wsPort: ports.wsPort } : {}), ...(ports?.tlsPort ? { tlsPort: ports.tlsPort } : {}) };
  }

  app.get<{ Querystring: { q?: string } }>(
    '/ui/api/devices',
    { schema: { querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 64 } } } } },
    async (request) => {
      const q = request.query.q?.trim().toLowerCase() ?? '';
      const devices = registry
        .list()
        .filter((d) => !q || d.id.toLowerCase().includes(q))
        .map((d) => ({ ...d, connected: deps.isConnected(d.id), batteryForecast: deps.power.batteryForecast(d.id) }));
      return { devices };
    },
  );

  app.post<{ Body: { id: string } }>(
    '/ui/api/devices',
    { config: { role: 'technician' }, schema: { body: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } },
    async (request, reply) => {
      const [created] = await registry.add([request.body.id]);
      const { id, secret } = created!;
      const deviceConfig = {
        v: 1,
        broker: brokerFor(request),
        id,
        secret,
        topics: {
          telemetry: deviceTopics.telemetry(id),
          events: deviceTopics.events(id),
          state: deviceTopics.state(id),
          commandResults: deviceTopics.commandResults(id),
          commands: deviceTopics.commands(id),
          config: deviceTopics.config(id),
          errors: deviceTopics.errors(id),
        },
      };
      const qrSvg = await QRCode.toString(JSON.stringify(deviceConfig), { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
      log.info({ event: 'ui-device-added', deviceId: id, by: request.account!.username }, 'device added from the UI');
      // The secret is in this response only; the store keeps its slow hash.
      return reply.status(201).header('cache-control', 'no-store').send({ id, secret, deviceConfig, qrSvg });
    },
  );

  app.get<{ Params: { id: string } }>('/ui/api/devices/:id', { schema: { params: idParams } }, async (request) => {
    const device = mustExist(request.params.id);
    const reporting = { ...deps.power.configs.view(device.id), adaptive: deps.power.adaptive.status(device.id) };
    return { device, readings: deps.readings.latest(device.id, 300).reverse(), commands: ui.commands.recent(device.id), reporting };
  });

  app.post<{ Params: { id: string } }>('/ui/api/devices/:id/revoke', { config: { role: 'technician' }, schema: { params: idParams } }, async (request) => {
    mustExist(request.params.id);
    const device = registry.revoke(request.params.id);
    deps.revoked();
    log.info({ event: 'ui-device-revoked', deviceId: device.id, by: request.account!.username }, 'device revoked from the UI');
    return { ...device, connected: deps.isConnected(device.id) };
  });

  app.post<{ Params: { id: string }; Body: { name: string; args?: Record<string, unknown> } }>(
    '/ui/api/devices/:id/commands',
    {
      config: { role: 'technician' },
      schema: {
        params: idParams,
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' }, args: { type: 'object' } } },
      },
    },
    async (request, reply) => {
      const device = mustExist(request.params.id);
      if (device.revokedAt !== null) throw new GatewayError('GW_ERR_BAD_REQUEST', `${device.id} is revoked`);
      const sent = await ui.commands.send(device.id, request.body.name, request.body.args, request.account!.username);
      log.info({ event: 'ui-command-sent', deviceId: device.id, commandId: sent.commandId, name: request.body.name, by: request.account!.username }, 'command sent');
      return reply.status(202).send({ ...sent, connected: device.connected });
    },
  );

  app.get<{ Params: { id: string } }>('/ui/api/devices/:id/commands', { schema: { params: idParams } }, async (request) => {
    mustExist(request.params.id);
    return { commands: ui.commands.recent(request.params.id) };
  });
}
