import type { GatewayConfigInput } from '../config/config-schema.js';

export interface CommonFlags {
  config?: string;
  dataDir?: string;
}

type Loose = Record<string, Record<string, string | undefined> | string | undefined>;

function portish(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Turn command-line flags into config overrides; unset flags are left out so lower layers apply. */
export function cliOverrides(common: CommonFlags, sections: Loose = {}): GatewayConfigInput {
  const out: Record<string, unknown> = {};
  if (common.dataDir) out.dataDir = common.dataDir;
  for (const [section, values] of Object.entries(sections)) {
    if (typeof values !== 'object' || values === undefined) continue;
    const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, portish(v!)]));
    if (Object.keys(set).length > 0) out[section] = set;
  }
  return out as GatewayConfigInput;
}
