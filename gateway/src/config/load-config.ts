import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors.js';
import { listConfigFields } from './config-fields.js';
import { type GatewayConfig, type GatewayConfigInput, gatewayConfigSchema } from './config-schema.js';

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

/** Environment strings become numbers or booleans where they look like one; the schema decides if that fits. */
function coerceEnvValue(raw: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

function readEnv(env: NodeJS.ProcessEnv): { tree: Tree; sources: Map<string, string> } {
  const tree: Tree = {};
  const sources = new Map<string, string>();
  for (const field of GATEWAY_CONFIG_FIELDS) {
    const raw = env[field.env];
    if (raw === undefined || raw === '') continue;
    setPath(tree, field.path, coerceEnvValue(raw));
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
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Load the configuration: defaults < file < environment < overrides. The result is frozen.
 * A bad value throws GW_ERR_CONFIG naming the key, where it came from, the value and what is expected.
 */
export function loadGatewayConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_FILE_ENV];
  const fromFile = file ? readFile(file) : {};
  const fromEnv = readEnv(env);
  const merged = mergeDeep(mergeDeep(fromFile, fromEnv.tree), (options.overrides ?? {}) as Tree);
  const result = gatewayConfigSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const source = fromEnv.sources.get(key) ?? (getPath(options.overrides, issue.path as string[]) !== undefined ? 'command line' : file ? `file ${file}` : 'config');
      const value = getPath(merged, issue.path as (string | number)[]);
      const field = GATEWAY_CONFIG_FIELDS.find((f) => f.key === key);
      const expected = field ? ` (expected ${field.type})` : '';
      return `  ${key || '(root)'} from ${source}: got ${JSON.stringify(value)}: ${issue.message}${expected}`;
    });
    throw new GatewayError('GW_ERR_CONFIG', `\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}
