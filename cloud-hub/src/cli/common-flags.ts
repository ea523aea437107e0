import type { HubConfigInput } from '../config/config-schema.js';
import { loadHubConfig } from '../config/load-config.js';
import { openHubStore } from '../create-hub.js';

export interface CommonFlags {
  config?: string;
  dataDir?: string;
}

type Loose = Record<string, Record<string, string | undefined>>;

const portish = (value: string): number | string => (/^\d+$/.test(value) ? Number(value) : value);

/** Turn command-line flags into config overrides; unset flags are left out so lower layers apply. */
export function cliOverrides(common: CommonFlags, sections: Loose = {}): HubConfigInput {
  const out: Record<string, unknown> = {};
  if (common.dataDir) out.dataDir = common.dataDir;
  for (const [section, values] of Object.entries(sections)) {
    const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, portish(v!)]));
    if (Object.keys(set).length > 0) out[section] = set;
  }
  return out as HubConfigInput;
}

/** The store the running hub uses (same config layers), for the CLI's management commands. */
export function openStoreFromFlags(common: CommonFlags) {
  const config = loadHubConfig({ file: common.config, overrides: cliOverrides(common) });
  return { config, store: openHubStore(config) };
}
