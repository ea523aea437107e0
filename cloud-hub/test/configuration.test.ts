import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generatedDocProblem } from '@outpost/service-kit';
import { HUB_CONFIGURATION_DOC_PATH, renderHubConfigurationDoc } from '../src/config/config-doc.js';
import { HUB_CONFIG_FIELDS } from '../src/config/load-config.js';
import { HUB_ERRORS } from '../src/errors.js';
import { runHubCli } from './helpers/hub-process.js';

const REGENERATE = 'run `npm run config-docs -w @outpost/cloud-hub` and commit docs/hub-configuration.md';
const docFile = new URL(`../../${HUB_CONFIGURATION_DOC_PATH}`, import.meta.url);

test('docs/hub-configuration.md is what the config schema generates', () => {
  const expected = renderHubConfigurationDoc();
  const problem = generatedDocProblem(docFile, expected, REGENERATE);
  if (problem) assert.fail(problem);
  for (const field of HUB_CONFIG_FIELDS) assert.ok(expected.includes(`| \`${field.key}\` | \`${field.env}\` |`), field.key);
});

test('docs/sync-protocol.md names every sync wire code and the loader options', () => {
  const doc = readFileSync(new URL('../../docs/sync-protocol.md', import.meta.url), 'utf8');
  for (const code of ['E_ENROLL_TOKEN', 'E_SYNC_UNAUTHENTICATED', 'E_SYNC_REVOKED', 'E_SYNC_SEQUENCE', 'E_SYNC_BATCH_TOO_LARGE', 'E_SYNC_PAYLOAD', 'E_SYNC_PROTOCOL_VERSION']) {
    assert.ok(doc.includes(`\`${code}\``), code);
  }
  assert.ok(doc.includes('keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT]'));
  assert.ok(Object.keys(HUB_ERRORS).every((code) => code.startsWith('HUB_ERR_')));
});

const dataDir = mkdtempSync(join(tmpdir(), 'outpost-hub-bad-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('a bad value stops `outpost-hub start` with exit code 78 before anything is opened', async () => {
  const result = await runHubCli(['start', '--data-dir', dataDir], { OUTPOST_HUB_SYNC_PORT: 'abc' }).then(
    () => assert.fail('the hub started with a bad config'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /error HUB_ERR_CONFIG: .*\n {2}sync\.port from env OUTPOST_HUB_SYNC_PORT: got "abc", expected integer 0–65535/);
  assert.equal(existsSync(join(dataDir, 'hub.sqlite')), false);
});
