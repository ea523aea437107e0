import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedDocProblem } from '@outpost/service-kit';
import { CONFIGURATION_DOC_PATH, renderConfigurationDoc } from '../src/config/config-doc.js';
import { RUNTIME_CONFIG_FIELDS } from '../src/config/load-config.js';
import { RUNTIME_ERRORS } from '../src/errors.js';

const REGENERATE = 'run `npm run config-docs -w @outpost/edge-runtime` and commit docs/edge-runtime-configuration.md';
const docFile = new URL(`../../${CONFIGURATION_DOC_PATH}`, import.meta.url);

test('docs/edge-runtime-configuration.md is what the config schema generates', () => {
  const problem = generatedDocProblem(docFile, renderConfigurationDoc(), REGENERATE);
  if (problem) assert.fail(problem);
});

test('the doc names every key, environment variable and error code, and shows a real loader error', () => {
  const doc = renderConfigurationDoc();
  for (const field of RUNTIME_CONFIG_FIELDS) assert.ok(doc.includes(`| \`${field.key}\` | \`${field.env}\` |`), `${field.key} / ${field.env} missing from the doc`);
  for (const code of Object.keys(RUNTIME_ERRORS)) assert.ok(doc.includes(`| \`${code}\` |`), `${code} missing from the doc`);
  assert.match(doc, /error RT_ERR_CONFIG: .*\n {2}mqttUrl from command line: got "localhost:1883"/);
  assert.match(doc, /scoring\.intraOpThreads from env OUTPOST_RT_SCORING_INTRA_OP_THREADS: got 4, expected integer 1–2/);
});
