import { readFileSync } from 'node:fs';
import { listConfigFields, loadLayeredConfig } from '@outpost/service-kit';
import { RuntimeError } from '../errors.js';
import { type RuntimeConfig, type RuntimeConfigInput, runtimeConfigSchema } from './config-schema.js';

export const ENV_PREFIX = 'OUTPOST_RT_';
export const CONFIG_FILE_ENV = 'OUTPOST_RT_CONFIG';

export const RUNTIME_CONFIG_FIELDS = listConfigFields(runtimeConfigSchema, ENV_PREFIX);

/** Keys that only the environment may set: a secret in a config file or on a command line leaks too easily. */
const ENV_ONLY_KEYS = ['internalSecret'] as const;

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A JSON config file; defaults to $OUTPOST_RT_CONFIG when set. */
  file?: string | undefined;
  /** Highest precedence, e.g. command-line flags. */
  overrides?: RuntimeConfigInput;
}

function refuseEnvOnlyKeys(file: string | undefined, overrides: RuntimeConfigInput | undefined): void {
  const lines: string[] = [];
  for (const key of ENV_ONLY_KEYS) {
    const env = RUNTIME_CONFIG_FIELDS.find((f) => f.key === key)?.env ?? key;
    if (overrides && (overrides as Record<string, unknown>)[key] !== undefined) lines.push(`  ${key} from command line: accepted only from the environment (${env})`);
    if (!file) continue;
    let tree: unknown;
    try {
      tree = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue; // the layered loader reports an unreadable file with its own message
    }
    if (typeof tree === 'object' && tree !== null && key in tree) lines.push(`  ${key} from file ${file}: accepted only from the environment (${env})`);
  }
  if (lines.length) throw new RuntimeError('RT_ERR_CONFIG', `${lines.length === 1 ? 'one bad value' : `${lines.length} bad values`}\n${lines.join('\n')}`);
}

/**
 * Load the configuration: defaults < file < environment < overrides. The result is frozen.
 * A bad value throws RT_ERR_CONFIG naming the key, where it came from, the value and what is expected.
 */
export function loadRuntimeConfig(options: LoadConfigOptions = {}): RuntimeConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_FILE_ENV];
  refuseEnvOnlyKeys(file, options.overrides);
  return loadLayeredConfig({
    schema: runtimeConfigSchema,
    fields: RUNTIME_CONFIG_FIELDS,
    env,
    file,
    overrides: options.overrides,
    fail: (detail, cause) => new RuntimeError('RT_ERR_CONFIG', detail, { cause }),
  });
}

/** The manifest paths `models` names; `shipped` asks @outpost/models (passed in, so tests need no shipped models). */
export async function resolveModelPaths(models: RuntimeConfig['models'], listShipped: () => string[] | Promise<string[]>): Promise<string[]> {
  if (models === 'shipped') return [...(await listShipped())];
  if (Array.isArray(models)) return [...models];
  return models
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The broker credential: `internalSecret` when set, else the trimmed contents of `internalSecretFile`. */
export function readInternalSecret(config: Pick<RuntimeConfig, 'internalSecret' | 'internalSecretFile'>): string {
  if (config.internalSecret) return config.internalSecret;
  let value: string;
  try {
    value = readFileSync(config.internalSecretFile, 'utf8').trim();
  } catch (cause) {
    throw new RuntimeError('RT_ERR_SECRET', `cannot read internalSecretFile ${config.internalSecretFile}: ${(cause as Error).message}`, { cause });
  }
  if (value.length === 0) throw new RuntimeError('RT_ERR_SECRET', `internalSecretFile ${config.internalSecretFile} is empty`);
  return value;
}
