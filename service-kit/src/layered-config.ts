import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { ConfigField } from './config-fields.js';

export type ConfigTree = Record<string, unknown>;

function setPath(target: ConfigTree, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as ConfigTree;
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

function mergeDeep(base: ConfigTree, extra: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const prev = out[key];
    out[key] = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof prev === 'object' && prev !== null ? mergeDeep(prev as ConfigTree, value as ConfigTree) : value;
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

function readEnv(fields: readonly ConfigField[], env: NodeJS.ProcessEnv): { tree: ConfigTree; sources: Map<string, string> } {
  const tree: ConfigTree = {};
  const sources = new Map<string, string>();
  for (const field of fields) {
    const raw = env[field.env];
    if (raw === undefined || raw === '') continue;
    setPath(tree, field.path, coerceEnvValue(raw, field));
    sources.set(field.key, `env ${field.env}`);
  }
  return { tree, sources };
}

function readJsonObject(file: string, fail: (detail: string, cause: unknown) => Error): ConfigTree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw fail(`cannot read config file ${file}: ${(cause as Error).message}`, cause);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as ConfigTree;
  } catch (cause) {
    throw fail(`config file ${file} is not a JSON object: ${(cause as Error).message}`, cause);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export interface LayeredConfigOptions<S extends z.ZodType> {
  schema: S;
  fields: readonly ConfigField[];
  env: NodeJS.ProcessEnv;
  /** A JSON config file. */
  file?: string | undefined;
  /** Highest precedence, e.g. command-line flags. */
  overrides?: unknown;
  /** A layer just above the defaults whose place depends on the layers above it (e.g. a settings file in the data dir). */
  base?: ((upper: ConfigTree) => { tree: ConfigTree; source: string }) | undefined;
  /** The package's own error for a bad configuration. */
  fail: (detail: string, cause?: unknown) => Error;
}

/**
 * Load a configuration: defaults < base layer < file < environment < overrides; the result is frozen.
 * A bad value fails naming the key, the layer it came from, the value and what is expected.
 */
export function loadLayeredConfig<S extends z.ZodType>(options: LayeredConfigOptions<S>): Readonly<z.output<S>> {
  const { fields, file } = options;
  const fromFile = file ? readJsonObject(file, options.fail) : {};
  const fromEnv = readEnv(fields, options.env);
  const upper = mergeDeep(mergeDeep(fromFile, fromEnv.tree), (options.overrides ?? {}) as ConfigTree);
  const base = options.base?.(upper) ?? null;
  const merged = base ? mergeDeep(base.tree, upper) : upper;
  const result = options.schema.safeParse(merged);
  if (result.success) return deepFreeze(result.data);

  // Name where each bad value came from: the highest layer that set it wins, as in the merge above.
  const sourceOf = (path: string[]): string => {
    if (getPath(options.overrides, path) !== undefined) return 'command line';
    const fromEnvSource = fromEnv.sources.get(path.join('.'));
    if (fromEnvSource) return fromEnvSource;
    if (file && getPath(fromFile, path) !== undefined) return `file ${file}`;
    return base && getPath(base.tree, path) !== undefined ? base.source : 'defaults';
  };
  // One line per bad key: zod reports each failed check of a value (e.g. minimum and power of two) on its own.
  const byKey = new Map<string, { path: string[]; messages: string[] }>();
  const unknownKeys: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const below = fields.filter((f) => f.path.length > path.length && path.every((p, i) => f.path[i] === p));
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
    const field = fields.find((f) => f.key === key);
    const expected = field ? `, expected ${field.type}` : '';
    return `  ${key || '(root)'} from ${sourceOf(path)}: got ${JSON.stringify(getPath(merged, path))}${expected} (${messages.join('; ')})`;
  });
  lines.push(...unknownKeys);
  throw options.fail(`${lines.length === 1 ? 'one bad value' : `${lines.length} bad values`}\n${lines.join('\n')}`);
}
