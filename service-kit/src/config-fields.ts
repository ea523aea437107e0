import type { z } from 'zod';

/** One configurable leaf of a config schema, as operators see it in docs and error messages. */
export interface ConfigField {
  path: string[];
  key: string;
  env: string;
  description: string;
  defaultValue: unknown;
  /** What the value must be, e.g. `integer 0–65535 | "off"` (plain text: escape `|` for Markdown tables). */
  type: string;
  /** The leaf schema with its default: it tells how to read an environment string for this key. */
  schema: z.ZodType;
}

type AnyDef = {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  defaultValue?: unknown;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  format?: string;
  checks?: { _zod: { def: CheckDef } }[];
};

type CheckDef = { check: string; format?: string; value?: unknown; inclusive?: boolean; minimum?: number; maximum?: number };

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

function camelToUpperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

// zod v4 keeps `.int()`, `.min()` and `.max()` as check objects on the schema's def (its `bag` stays empty
// until something fills it), so read the checks; `z.int()` is itself a number_format check.
function numberLabel(def: AnyDef): string {
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const formats = [def.format, ...checks.filter((c) => c.check === 'number_format').map((c) => c.format)];
  const isInt = formats.some((f) => f?.includes('int'));
  let min: { value: number; inclusive: boolean } | undefined;
  let max: { value: number; inclusive: boolean } | undefined;
  for (const c of checks) {
    if (typeof c.value !== 'number') continue;
    const bound = { value: c.value, inclusive: c.inclusive ?? true };
    if (c.check === 'greater_than' && (!min || bound.value >= min.value)) min = bound;
    if (c.check === 'less_than' && (!max || bound.value <= max.value)) max = bound;
  }
  const base = isInt ? 'integer' : 'number';
  if (min?.inclusive && max?.inclusive) return `${base} ${min.value}–${max.value}`;
  const parts = [base];
  if (min) parts.push(`${min.inclusive ? '≥' : '>'} ${min.value}`);
  if (max) parts.push(`${min ? 'and ' : ''}${max.inclusive ? '≤' : '<'} ${max.value}`);
  return parts.join(' ');
}

function stringLabel(def: AnyDef): string {
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const min = checks.find((c) => c.check === 'min_length')?.minimum;
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  if (min !== undefined && max !== undefined) return `string of ${min}–${max} characters`;
  if (max !== undefined) return `string of at most ${max} characters`;
  if (min === 1) return 'non-empty string';
  if (min !== undefined && min > 1) return `string of at least ${min} characters`;
  return 'string';
}

function typeLabel(schema: z.ZodType): string {
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return typeLabel(def.innerType!);
    case 'enum':
      return Object.values(def.entries ?? {}).map((v) => JSON.stringify(v)).join(' | ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'union':
      return (def.options ?? []).map(typeLabel).join(' | ');
    case 'number':
      return numberLabel(def);
    case 'string':
      return stringLabel(def);
    default:
      return def.type;
  }
}

/** Walk a config schema down to its leaves, collecting env names, defaults and descriptions. */
export function listConfigFields(schema: z.ZodType, envPrefix: string, path: string[] = []): ConfigField[] {
  let inner = schema;
  let description = schema.description;
  let defaultValue: unknown;
  for (;;) {
    const def = defOf(inner);
    if (def.type === 'default' || def.type === 'prefault') defaultValue ??= def.defaultValue;
    if (def.type !== 'default' && def.type !== 'prefault' && def.type !== 'optional' && def.type !== 'nullable') break;
    inner = def.innerType!;
    description ??= inner.description;
  }
  const def = defOf(inner);
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, child]) => listConfigFields(child, envPrefix, [...path, key]));
  }
  return [
    {
      path,
      key: path.join('.'),
      env: envPrefix + path.map(camelToUpperSnake).join('_'),
      description: description ?? '',
      defaultValue,
      type: typeLabel(inner),
      schema,
    },
  ];
}
