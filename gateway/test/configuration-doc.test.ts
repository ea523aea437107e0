import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedDocProblem } from '@outpost/service-kit';
import { CONFIGURATION_DOC_PATH, renderConfigurationDoc } from '../src/config/config-doc.js';
import { GATEWAY_CONFIG_FIELDS } from '../src/config/load-config.js';

const REGENERATE = 'run `npm run config-docs -w @outpost/gateway` and commit docs/configuration.md';
const docFile = new URL(`../../${CONFIGURATION_DOC_PATH}`, import.meta.url);

test('docs/configuration.md is what the config schema generates', () => {
  const problem = generatedDocProblem(docFile, renderConfigurationDoc(), REGENERATE);
  if (problem) assert.fail(problem);
});

test('the doc names every key and environment variable, and shows a real loader error', () => {
  const doc = renderConfigurationDoc();
  for (const field of GATEWAY_CONFIG_FIELDS) {
    assert.ok(doc.includes(`| \`${field.key}\` | \`${field.env}\` |`), `${field.key} / ${field.env} missing from the doc`);
  }
  assert.match(doc, /error GW_ERR_CONFIG: .*\n {2}mqtt\.port from env OUTPOST_GW_MQTT_PORT: got "abc", expected integer 0–65535/);
  assert.match(doc, /`2147483648` \(2 GiB\)/);
});
