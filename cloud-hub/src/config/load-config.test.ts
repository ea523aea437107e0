import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HubError } from '../errors.js';
import { HUB_CONFIG_FIELDS, loadHubConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-hub-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function configFile(content: unknown): string {
  const file = join(dir, `config-${++fileCount}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function configError(load: () => unknown): HubError {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof HubError, `expected a HubError, got ${String(err)}`);
    assert.equal(err.code, 'HUB_ERR_CONFIG');
    return err;
  }
  assert.fail('the configuration loaded although it is invalid');
}

describe('loadHubConfig', () => {
  test('defaults: embedded store, 4 MiB batches, 5 min clock tolerance', () => {
    const config = loadHubConfig({ env: {} });
    assert.equal(config.dataDir, '.outpost/hub');
    assert.equal(config.sync.port, 50051);
    assert.equal(config.sync.maxBatchBytes, 4 * 1024 * 1024);
    assert.equal(config.sync.clockToleranceMs, 300_000);
    assert.equal(config.http.port, 8090);
    assert.equal(config.http.apiToken, undefined);
    assert.equal(config.store.synchronous, 'full');
  });

  test('every leaf has a description and an OUTPOST_HUB_ variable of its own', () => {
    const envs = HUB_CONFIG_FIELDS.map((f) => f.env);
    assert.equal(new Set(envs).size, envs.length);
    for (const field of HUB_CONFIG_FIELDS) {
      assert.match(field.env, /^OUTPOST_HUB_[A-Z0-9_]+$/);
      assert.ok(field.description.length > 0, `${field.key} has no description`);
    }
    assert.equal(HUB_CONFIG_FIELDS.find((f) => f.key === 'sync.maxBatchBytes')?.env, 'OUTPOST_HUB_SYNC_MAX_BATCH_BYTES');
  });

  test('precedence: defaults < file < environment < overrides; the result is frozen', () => {
    const file = configFile({ sync: { port: 1000, clockToleranceMs: 60_000 }, http: { port: 1001 } });
    const config = loadHubConfig({ file, env: { OUTPOST_HUB_SYNC_PORT: '2000', OUTPOST_HUB_HTTP_PORT: '2001', OUTPOST_HUB_HTTP_API_TOKEN: '123456789012345678901234567890' }, overrides: { http: { port: 3001 } } });
    assert.equal(config.sync.clockToleranceMs, 60_000);
    assert.equal(config.sync.port, 2000);
    assert.equal(config.http.port, 3001);
    assert.equal(config.http.apiToken, '123456789012345678901234567890', 'digits stay text for a text key');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.sync));
    assert.throws(() => {
      (config.sync as { port: number }).port = 1;
    }, TypeError);
  });

  test('a bad value names the key, its source, the value and the expectation', () => {
    const fromEnv = configError(() => loadHubConfig({ env: { OUTPOST_HUB_SYNC_PORT: 'abc' } }));
    assert.match(fromEnv.message, /sync\.port from env OUTPOST_HUB_SYNC_PORT: got "abc", expected integer 0–65535/);
    const file = configFile({ sync: { maxBatchBytes: 10 } });
    const fromFile = configError(() => loadHubConfig({ env: {}, file }));
    assert.ok(fromFile.message.includes(`sync.maxBatchBytes from file ${file}: got 10, expected integer 65536–67108864`), fromFile.message);
    const fromFlags = configError(() => loadHubConfig({ env: {}, overrides: { http: { port: 70000 } } }));
    assert.match(fromFlags.message, /http\.port from command line: got 70000/);
    const unknown = configError(() => loadHubConfig({ env: {}, file: configFile({ sync: { prot: 1 } }) }));
    assert.match(unknown.message, /sync\.prot from file .*: unknown key \(known here: host, port/);
  });
});
