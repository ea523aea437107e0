import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { RuntimeError } from '../errors.js';
import { type Condition, RULE_LIMITS, type Rule, ruleSchema, rulesFileSchema } from './rule-schema.js';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

const pathText = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');

/** One line per zod issue: where, what was expected, what was there. */
function issueLines(issues: readonly z.core.$ZodIssue[], root: unknown): string[] {
  return issues.map((issue) => {
    const at = pathText(issue.path) || '(rule)';
    if (issue.code === 'unrecognized_keys') return `${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
      const expected = issue.discriminator === 'type' ? '"tumbling", "sliding" or "count"' : '"threshold", "window", "any" or "all"';
      return `${at}: expected ${expected} (got ${describeValue(valueAt(root, issue.path))})`;
    }
    if (issue.code === 'invalid_type' && valueAt(root, issue.path) === undefined) return `${at}: missing (expected ${issue.expected})`;
    return `${at}: ${issue.message} (got ${describeValue(valueAt(root, issue.path))})`;
  });
}

function depthOf(conditions: readonly Condition[]): number {
  let deepest = 0;
  for (const c of conditions) if (c.kind === 'any' || c.kind === 'all') deepest = Math.max(deepest, 1 + depthOf(c.conditions));
  return deepest;
}

/**
 * Validate a parsed rules document. Every problem of every rule is collected, each naming the rule
 * (index and id when it has one), the path inside it, what was expected and what was there; any problem
 * throws RT_ERR_RULES listing them all.
 */
export function validateRules(document: unknown, source = 'rules'): Rule[] {
  const problems: string[] = [];
  const top = rulesFileSchema.safeParse(document);
  if (!top.success) {
    const lines = issueLines(top.error.issues, document).map((l) => `  ${source}: ${l}`);
    throw new RuntimeError('RT_ERR_RULES', `${source} must be an object { version: 1, rules: [...] }\n${lines.join('\n')}`);
  }
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  top.data.rules.forEach((raw, index) => {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
    const label = `rules[${index}]${id === undefined ? '' : ` (id "${id}")`}`;
    // Duplicates are judged on the raw id, so a bad first copy still makes the second one a duplicate.
    const first = id === undefined ? undefined : seen.get(id);
    if (first !== undefined) problems.push(`  ${label}: id: duplicate of rules[${first}] (ids must be unique)`);
    else if (id !== undefined) seen.set(id, index);
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const line of issueLines(parsed.error.issues, raw)) problems.push(`  ${label}: ${line}`);
      return;
    }
    const rule = parsed.data;
    const depth = rule.kind === 'any' || rule.kind === 'all' ? 1 + depthOf(rule.conditions) : 0;
    if (depth > RULE_LIMITS.maxDepth) problems.push(`  ${label}: conditions: nested ${depth} levels deep, expected at most ${RULE_LIMITS.maxDepth}`);
    rules.push(rule);
  });
  if (problems.length > 0) {
    throw new RuntimeError('RT_ERR_RULES', `${source}: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}\n${problems.join('\n')}`);
  }
  return rules;
}

/** Read and validate a rules file: `.json`, or `.yaml`/`.yml`. Throws RT_ERR_RULES naming every problem. */
export function loadRulesFile(file: string): Rule[] {
  const ext = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) throw new RuntimeError('RT_ERR_RULES', `${file}: expected a .json, .yaml or .yml file`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new RuntimeError('RT_ERR_RULES', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let document: unknown;
  try {
    document = ext === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (cause) {
    throw new RuntimeError('RT_ERR_RULES', `${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, { cause });
  }
  return validateRules(document, file);
}
