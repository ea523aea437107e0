import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors.js';
import { ALERT_LABELS, type AlertLabel } from '../alerts-view.js';
import type { UiDeps } from '../ui-context.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** Alerts: list with filters, acknowledge, label normal/anomaly with a note (kept for federated training). */
export async function alertRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { alerts } = deps.ui;
  const log = app.log.child({ module: 'ui-alerts' });

  app.get<{ Querystring: { state: 'open' | 'acknowledged' | 'all'; severity?: string; device?: string; limit: number } }>(
    '/ui/api/alerts',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string', enum: ['open', 'acknowledged', 'all'], default: 'all' },
            severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
            device: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
      },
    },
    async (request) => alerts.list({ state: request.query.state, severity: request.query.severity, deviceId: request.query.device || undefined, limit: request.query.limit }),
  );

  app.post<{ Params: { id: string } }>('/ui/api/alerts/:id/ack', { config: { role: 'technician' }, schema: { params: idParams } }, async (request) => {
    if (!alerts.acknowledge(request.params.id, request.account!.username)) throw new GatewayError('GW_ERR_NOT_FOUND', `no alert ${request.params.id}`);
    log.info({ event: 'ui-alert-acknowledged', alertId: request.params.id, by: request.account!.username }, 'alert acknowledged');
    return { ok: true };
  });

  app.post<{ Params: { id: string }; Body: { label: AlertLabel; note: string } }>(
    '/ui/api/alerts/:id/label',
    {
      config: { role: 'technician' },
      schema: {
        params: idParams,
        body: { type: 'object', required: ['label'], additionalProperties: false, properties: { label: { type: 'string', enum: [...ALERT_LABELS] }, note: { type: 'string', maxLength: 1000, default: '' } } },
      },
    },
    async (request) => {
      if (!alerts.label(request.params.id, request.body.label, request.body.note, request.account!.username)) throw new GatewayError('GW_ERR_NOT_FOUND', `no alert ${request.params.id}`);
      log.info({ event: 'ui-alert-labelled', alertId: request.params.id, label: request.body.label, by: request.account!.username }, 'alert labelled');
      return { ok: true };
    },
  );
}
