import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONFIGURATION_DOC_PATH, renderConfigurationDoc } from '../src/config/config-doc.js';
import { GATEWAY_CONFIG_FIELDS } from '../src/config/load-config.js';

const REGENERATE = 'run `npm run config-docs -w @outpost/gateway` and commit docs/configuration.md';
const docFile = new URL(`../../${CONFIGURATION_DOC_PATH}`, import.meta.url);

function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line === -1 ? Math.min(a.length, e.length) : line;
  return `first difference at line ${at + 1}:\n  file:      ${JSON.stringify(a[at])}\n  generated: ${JSON.stringify(e[at])}`;
}

test('docs/configuration.md is what the config schema generates', () => {
  let actual: string;
  try {
    actual = readFileSync(docFile, 'utf8');
  } catch {
    assert.fail(`docs/configuration.md is missing: ${REGENERATE}`);
  }
  const expected = renderConfigurationDoc();
  if (actual !== expected) assert.fail(`docs/configuration.md is out of date with the config schema: ${REGENERATE}\n${firstDifference(actual, expected)}`);
});

test('the doc names every key and environment variable, and shows a real loader error', () => {
  const doc = renderConfigurationDoc();
  for (const field of GATEWAY_CONFIG_FIELDS) {
    assert.ok(doc.includes(`| \`${field.key}\` | \`${field.env}\` |`), `${field.key} / ${field.env} missing from the doc`);
  }
  assert.match(doc, /error GW_ERR_CONFIG: .*\n {2}mqtt\.port from env OUTPOST_GW_MQTT_PORT: got "abc", expected integer 0–65535/);
  assert.match(doc, /`2147483648` \(2 GiB\)/);
});
