import { readFileSync } from 'node:fs';
import type { ConfigField } from './config-fields.js';

/** Text made safe for one Markdown table cell. */
export const markdownCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A field's default as the configuration docs show it: `unset`, or its JSON in backticks. */
export const defaultCellOf = (field: ConfigField): string => (field.defaultValue === undefined ? 'unset' : `\`${JSON.stringify(field.defaultValue)}\``);

export interface FieldTablesOptions {
  /** Heading per top-level section key ('' for the top-level keys themselves). */
  titles: Readonly<Record<string, string>>;
  /** A paragraph under a section's table. */
  notes?: Readonly<Record<string, string>>;
  typeCell?: (field: ConfigField) => string;
  defaultCell?: (field: ConfigField) => string;
}

/**
 * The key tables of a generated configuration doc: one `###` section per top-level object, each a table of
 * key, environment variable, type, default and description. Every process's doc is built from these.
 */
export function configFieldTables(fields: readonly ConfigField[], options: FieldTablesOptions): string[] {
  const typeCell = options.typeCell ?? ((f: ConfigField) => f.type);
  const defaultCell = options.defaultCell ?? defaultCellOf;
  const sections = new Map<string, ConfigField[]>();
  for (const field of fields) {
    const section = field.path.length > 1 ? field.path[0]! : '';
    sections.set(section, [...(sections.get(section) ?? []), field]);
  }
  const out: string[] = [];
  for (const [section, list] of sections) {
    out.push(`### ${options.titles[section] ?? `\`${section}\``}`, '');
    out.push('| Key | Environment | Type | Default | Description |', '| --- | --- | --- | --- | --- |');
    for (const f of list) out.push(`| \`${f.key}\` | \`${f.env}\` | ${markdownCell(typeCell(f))} | ${markdownCell(defaultCell(f))} | ${markdownCell(f.description)} |`);
    out.push('');
    const note = options.notes?.[section];
    if (note) out.push(note, '');
  }
  return out;
}

/**
 * Why a committed generated doc is not what its generator gives now (missing, or the first line that
 * differs), with how to regenerate it; null when it is current. For the tests that keep docs honest.
 */
export function generatedDocProblem(file: URL, expected: string, regenerate: string): string | null {
  let actual: string;
  try {
    actual = readFileSync(file, 'utf8');
  } catch {
    return `${file.pathname} is missing: ${regenerate}`;
  }
  if (actual === expected) return null;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line === -1 ? Math.min(a.length, e.length) : line;
  return `${file.pathname} is out of date: ${regenerate}\nfirst difference at line ${at + 1}:\n  file:      ${JSON.stringify(a[at])}\n  generated: ${JSON.stringify(e[at])}`;
}
