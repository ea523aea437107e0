import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors.js';
import { type ConfigField, listConfigFields } from '@outpost/service-kit';
import { type GatewayConfig, type GatewayConfigInput, gatewayConfigSchema } from './config-schema.js';
import { readSettingsFile, settingsFilePath } from './settings-file.js';

export const ENV_PREFIX = 'OUTPOST_GW_';
export const CONFIG_FILE_ENV = 'OUTPOST_GW_CONFIG';

export const GATEWAY_CONFIG_FIELDS = listConfigFields(gatewayConfigSchema, ENV_PREFIX);

type Tree = Record<string, unknown>;

function setPath(target: Tree, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function getPath(source: unknown, path: (string | number)[]): unknown {
  let node = source;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function mergeDeep(base: Tree, extra: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const prev = out[key];
    out[key] = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof prev === 'object' && prev !== null ? mergeDeep(prev as Tree, value as Tree) : value;
  }
  return out;
}

/**
 * Environment values are strings. Keep the string when the key accepts it (a token or a path made of
 * digits stays text); otherwise read digits as a number and true/false as a boolean, and let the schema judge.
 */
function coerceEnvValue(raw: string, field: ConfigField): unknown {
  if (field.schema.safeParse(raw).success) return raw;
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return raw;
}

function readEnv(env: NodeJS.ProcessEnv): { tree: Tree; sources: Map<string, string> } {
  const tree: Tree = {};
  const sources = new Map<string, string>();
  for (const field of GATEWAY_CONFIG_FIELDS) {
    const raw = env[field.env];
    if (raw === undefined || raw === '') continue;
    setPath(tree, field.path, coerceEnvValue(raw, field));
    sources.set(field.key, `env ${field.env}`);
  }
  return { tree, sources };
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new GatewayError('GW_ERR_CONFIG', `cannot read config file ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as Tree;
  } catch (cause) {
    throw new GatewayError('GW_ERR_CONFIG', `config file ${file} is not a JSON object: ${(cause as Error).message}`, { cause });
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A JSON config file; defaults to $OUTPOST_GW_CONFIG when set. */
  file?: string;
  /** Highest precedence, e.g. command-line flags. */
  overrides?: GatewayConfigInput;
  /** Read `<dataDir>/settings.json` (written by the technician UI) as the layer above the defaults. Default true. */
  settingsFile?: boolean;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Load the configuration: defaults < settings file (from the UI) < file < environment < overrides. The result is frozen.
 * A bad value throws GW_ERR_CONFIG naming the key, where it came from, the value and what is expected.
 */
export function loadGatewayConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_FILE_ENV];
  const fromFile = file ? readFile(file) : {};
  const fromEnv = readEnv(env);
  const upper = mergeDeep(mergeDeep(fromFile, fromEnv.tree), (options.overrides ?? {}) as Tree);
  // The settings file lives in the data directory, so the layers above it decide where that is.
  const dataDir = typeof upper.dataDir === 'string' && upper.dataDir ? upper.dataDir : (gatewayConfigSchema.shape.dataDir.parse(undefined) as string);
  const settingsFile = options.settingsFile === false ? null : settingsFilePath(dataDir);
  const fromSettings = settingsFile ? readSettingsFile(settingsFile) : {};
  const merged = mergeDeep(fromSettings, upper);
  const result = gatewayConfigSchema.safeParse(merged);
  if (!result.success) {
    // Name where each bad value came from: the highest layer that set it wins, as in the merge above.
    const sourceOf = (path: string[]): string => {
      if (getPath(options.overrides, path) !== undefined) return 'command line';
      const fromEnvSource = fromEnv.sources.get(path.join('.'));
      if (fromEnvSource) return fromEnvSource;
      if (file && getPath(fromFile, path) !== undefined) return `file ${file}`;
      return settingsFile && getPath(fromSettings, path) !== undefined ? `settings file ${settingsFile}` : 'defaults';
    };
    // One line per bad key: zod reports each failed check of a value (e.g. minimum and power of two) on its own.
    const byKey = new Map<string, { path: string[]; messages: string[] }>();
    const unknownKeys: string[] = [];
    for (const issue of result.error.issues) {
      const path = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        const below = GATEWAY_CONFIG_FIELDS.filter((f) => f.path.length > path.length && path.every((p, i) => f.path[i] === p));
        const known = [...new Set(below.map((f) => f.path[path.length]!))].join(', ');
        for (const name of issue.keys) {
          const key = [...path, name];
          unknownKeys.push(`  ${key.join('.')} from ${sourceOf(key)}: unknown key (known here: ${known})`);
        }
        continue;
      }
      const key = path.join('.');
      const entry = byKey.get(key) ?? { path, messages: [] };
      entry.messages.push(issue.message);
      byKey.set(key, entry);
    }
    const lines = [...byKey].map(([key, { path, messages }]) => {
      const field = GATEWAY_CONFIG_FIELDS.find((f) => f.key === key);
      const expected = field ? `, expected ${field.type}` : '';
      return `  ${key || '(root)'} from ${sourceOf(path)}: got ${JSON.stringify(getPath(merged, path))}${expected} (${messages.join('; ')})`;
    });
    lines.push(...unknownKeys);
    throw new GatewayError('GW_ERR_CONFIG', `${lines.length === 1 ? 'one bad value' : `${lines.length} bad values`}\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}
