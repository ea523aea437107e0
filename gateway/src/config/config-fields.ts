import type { z } from 'zod';

/** One configurable leaf of a config schema, as operators see it in docs and error messages. */
export interface ConfigField {
  path: string[];
  key: string;
  env: string;
  description: string;
  defaultValue: unknown;
  type: string;
}

type AnyDef = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; defaultValue?: unknown; options?: z.ZodType[]; entries?: Record<string, string>; values?: unknown[] };

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

function camelToUpperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
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
      return Object.values(def.entries ?? {}).map((v) => JSON.stringify(v)).join(' \\| ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' \\| ');
    case 'union':
      return (def.options ?? []).map(typeLabel).join(' \\| ');
    case 'number': {
      const checks = (schema as unknown as { _zod: { bag?: { format?: string } } })._zod.bag;
      return checks?.format === 'safeint' ? 'integer' : 'number';
    }
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
    },
  ];
}
