import { listConfigFields, loadLayeredConfig } from '@outpost/service-kit';
import { GatewayError } from '../errors.js';
import { type GatewayConfig, type GatewayConfigInput, gatewayConfigSchema } from './config-schema.js';
import { readSettingsFile, settingsFilePath } from './settings-file.js';

export const ENV_PREFIX = 'OUTPOST_GW_';
export const CONFIG_FILE_ENV = 'OUTPOST_GW_CONFIG';

export const GATEWAY_CONFIG_FIELDS = listConfigFields(gatewayConfigSchema, ENV_PREFIX);

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A JSON config file; defaults to $OUTPOST_GW_CONFIG when set. */
  file?: string;
  /** Highest precedence, e.g. command-line flags. */
  overrides?: GatewayConfigInput;
  /** Read `<dataDir>/settings.json` (written by the technician UI) as the layer above the defaults. Default true. */
  settingsFile?: boolean;
}

/**
 * Load the configuration: defaults < settings file (from the UI) < file < environment < overrides. The result is frozen.
 * A bad value throws GW_ERR_CONFIG naming the key, where it came from, the value and what is expected.
 */
export function loadGatewayConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  return loadLayeredConfig({
    schema: gatewayConfigSchema,
    fields: GATEWAY_CONFIG_FIELDS,
    env,
    file: options.file ?? env[CONFIG_FILE_ENV],
    overrides: options.overrides,
    // The settings file lives in the data directory, so the layers above it decide where that is.
    base:
      options.settingsFile === false
        ? undefined
        : (upper) => {
            const dataDir = typeof upper.dataDir === 'string' && upper.dataDir ? upper.dataDir : (gatewayConfigSchema.shape.dataDir.parse(undefined) as string);
            const file = settingsFilePath(dataDir);
            return { tree: readSettingsFile(file), source: `settings file ${file}` };
          },
    fail: (detail, cause) => new GatewayError('GW_ERR_CONFIG', detail, { cause }),
  });
}
