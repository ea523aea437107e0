import type { FastifyInstance } from 'fastify';
import { gatewayConfigSchema } from '../../config/config-schema.js';
import { readSettingsFile, settingsFilePath, writeSettingsFile } from '../../config/settings-file.js';
import { GatewayError } from '../../errors.js';
import { UI_SETTINGS, getPath, setPath } from '../settings-fields.js';
import type { UiDeps } from '../ui-context.js';

/**
 * Settings: hub address and enrollment, retention, limits. Saved to `<dataDir>/settings.json`, which the
 * config loader reads below the config file, the environment and the command line; every change applies
 * after a restart (the running configuration is frozen).
 */
export async function settingsRoutes(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const { config } = deps.ui;
  const file = settingsFilePath(config.dataDir);
  const log = app.log.child({ module: 'ui-settings' });

  function view() {
    const saved = readSettingsFile(file);
    return {
      file,
      settings: UI_SETTINGS.map((s) => {
        const running = getPath(config, s.path);
        const stored = getPath(saved, s.path);
        const show = (v: unknown) => (s.secret ? (v === undefined ? null : 'set') : (v ?? null));
        return {
          key: s.key,
          label: s.label,
          group: s.group,
          secret: s.secret,
          restart: s.restart,
          type: typeof (getPath(gatewayConfigSchema.parse({}), s.path) ?? ''),
          running: show(running),
          saved: show(stored),
          pendingRestart: stored !== undefined && JSON.stringify(stored) !== JSON.stringify(running),
        };
      }),
    };
  }

  app.get('/ui/api/settings', async () => view());

  app.put<{ Body: { values: Record<string, unknown> } }>(
    '/ui/api/settings',
    { config: { role: 'admin' }, schema: { body: { type: 'object', required: ['values'], additionalProperties: false, properties: { values: { type: 'object' } } } } },
    async (request) => {
      const next = structuredClone(readSettingsFile(file));
      for (const [key, value] of Object.entries(request.body.values)) {
        const field = UI_SETTINGS.find((s) => s.key === key);
        if (!field) throw new GatewayError('GW_ERR_BAD_REQUEST', `${key} cannot be changed here`);
        // null or "" clears the key, so the lower layer (the default) applies again.
        setPath(next, field.path, value === null || value === '' ? undefined : value);
      }
      const result = gatewayConfigSchema.safeParse(next);
      if (!result.success) {
        const problems = result.error.issues.map((i) => ({ key: i.path.join('.'), message: i.message }));
        throw new GatewayError('GW_ERR_BAD_REQUEST', problems.map((p) => `${p.key}: ${p.message}`).join('; '));
      }
      writeSettingsFile(file, next);
      log.info({ event: 'ui-settings-saved', keys: Object.keys(request.body.values), by: request.account!.username }, 'settings saved; they apply after a restart');
      return view();
    },
  );
}
