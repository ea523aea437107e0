import { listConfigFields, loadLayeredConfig } from '@outpost/service-kit';
import { HubError } from '../errors.js';
import { type HubConfig, type HubConfigInput, hubConfigSchema } from './config-schema.js';

export const ENV_PREFIX = 'OUTPOST_HUB_';
export const CONFIG_FILE_ENV = 'OUTPOST_HUB_CONFIG';

export const HUB_CONFIG_FIELDS = listConfigFields(hubConfigSchema, ENV_PREFIX);

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A JSON config file; defaults to $OUTPOST_HUB_CONFIG when set. */
  file?: string;
  /** Highest precedence, e.g. command-line flags. */
  overrides?: HubConfigInput;
}

/**
 * Load the configuration: defaults < file < environment < overrides. The result is frozen.
 * A bad value throws HUB_ERR_CONFIG naming the key, where it came from, the value and what is expected.
 */
export function loadHubConfig(options: LoadConfigOptions = {}): HubConfig {
  const env = options.env ?? process.env;
  return loadLayeredConfig({
    schema: hubConfigSchema,
    fields: HUB_CONFIG_FIELDS,
    env,
    file: options.file ?? env[CONFIG_FILE_ENV],
    overrides: options.overrides,
    fail: (detail, cause) => new HubError('HUB_ERR_CONFIG', detail, { cause }),
  });
}
