import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RuntimeError } from '../errors.js';
import { loadRulesFile, validateRules } from './load-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rulesError(load: () => unknown): RuntimeError {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof RuntimeError, `expected a RuntimeError, got ${String(err)}`);
    assert.equal(err.code, 'RT_ERR_RULES');
    assert.equal(err.retryable, false);
    return err;
  }
  assert.fail('the rules loaded although they are invalid');
}

describe('rules file validation', () => {
  test('the example file in edge-runtime/examples loads', () => {
    const rules = loadRulesFile(fileURLToPath(new URL('../../examples/rules.yaml', import.meta.url)));
    assert.ok(rules.length >= 4);
    assert.ok(rules.every((r) => r.severity));
  });

  test('every bad rule is listed with its index, id, path, expectation and value', () => {
    const err = rulesError(() =>
      validateRules({
        version: 1,
        rules: [
          { id: 'hot', kind: 'threshold', metric: 'temperature', op: '=>', value: 80 },
          { id: 'typo', kind: 'treshold', metric: 'temperature', op: '>', value: 80 },
          { id: 'win', kind: 'window', metric: 'flow', aggregate: 'mean', window: { type: 'hopping', ms: 1000 }, op: '<', value: 2 },
          { id: 'nested', kind: 'all', conditions: [{ kind: 'threshold', metric: 'pressure', op: '<', value: 1 }, { kind: 'window', metric: 'flow', aggregate: 'avg', window: { type: 'count', readings: 0 }, op: '<', value: 2 }] },
          { kind: 'threshold', metric: 'temperature', op: '>', value: 1, colour: 'red' },
          { id: 'hot', kind: 'threshold', metric: 'temperature', op: '>', value: 90 },
        ],
      }),
    );
    const lines = err.message.split('\n');
    assert.match(lines[0]!, /rules: 8 problems$/);
    const expected = [
      /rules\[0\] \(id "hot"\): op: .*expected one of ">"\|">="\|"<"\|"<="\|"=="\|"!=" \(got "=>"\)/,
      /rules\[1\] \(id "typo"\): kind: expected "threshold", "window", "any" or "all" \(got "treshold"\)/,
      /rules\[2\] \(id "win"\): aggregate: .*"avg"\|"min"\|"max"\|"sum"\|"count" \(got "mean"\)/,
      /rules\[2\] \(id "win"\): window\.type: expected "tumbling", "sliding" or "count" \(got "hopping"\)/,
      /rules\[3\] \(id "nested"\): conditions\[1\]\.window\.readings: .*>=1 \(got 0\)/,
      /rules\[4\]: id: missing \(expected string\)/,
      /rules\[4\]: \(rule\): unknown key "colour"/,
      /rules\[5\] \(id "hot"\): id: duplicate of rules\[0\]/,
    ];
    for (const pattern of expected) assert.ok(lines.some((l) => pattern.test(l)), `no line matches ${pattern}\n${err.message}`);
  });

  test('composites deeper than four levels are refused', () => {
    let condition: Record<string, unknown> = { kind: 'threshold', metric: 'a', op: '>', value: 1 };
    for (let i = 0; i < 5; i++) condition = { kind: 'any', conditions: [condition] };
    const err = rulesError(() => validateRules({ rules: [{ id: 'deep', ...condition }] }));
    assert.match(err.message, /rules\[0\] \(id "deep"\): conditions: nested 5 levels deep, expected at most 4/);
  });

  test('device patterns allow only a trailing *', () => {
    const err = rulesError(() => validateRules({ rules: [{ id: 'p', kind: 'threshold', metric: 'a', op: '>', value: 1, devices: ['pu*mp'] }] }));
    assert.match(err.message, /devices\[0\]: a device id, or an id prefix followed by a single trailing \* \(got "pu\*mp"\)/);
  });

  test('YAML and JSON files are read by extension; syntax errors and other extensions are refused', () => {
    const yamlFile = join(dir, 'r.yml');
    writeFileSync(yamlFile, 'rules:\n  - id: hot\n    kind: threshold\n    metric: temperature\n    op: ">"\n    value: 80\n');
    assert.deepEqual(loadRulesFile(yamlFile).map((r) => [r.id, r.severity]), [['hot', 'warning']]);
    const jsonFile = join(dir, 'r.json');
    writeFileSync(jsonFile, JSON.stringify({ version: 1, rules: [{ id: 'cold', kind: 'threshold', metric: 't', op: '<', value: 0, severity: 'critical' }] }));
    assert.equal(loadRulesFile(jsonFile)[0]!.severity, 'critical');
    writeFileSync(join(dir, 'bad.json'), '{ "rules": [ }');
    assert.match(rulesError(() => loadRulesFile(join(dir, 'bad.json'))).message, /bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'r.toml'), '');
    assert.match(rulesError(() => loadRulesFile(join(dir, 'r.toml'))).message, /expected a \.json, \.yaml or \.yml file/);
    assert.match(rulesError(() => loadRulesFile(join(dir, 'missing.yaml'))).message, /cannot read/);
    assert.match(rulesError(() => validateRules([1, 2])).message, /must be an object \{ version: 1, rules: \[\.\.\.\] \}/);
  });
});
