import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RuntimeError } from '../errors.js';
import { parseCliFlags } from './cli-flags.js';
import { loadRuntimeConfig, readInternalSecret, resolveModelPaths, RUNTIME_CONFIG_FIELDS } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-rt-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function configFile(content: unknown): string {
  const file = join(dir, `config-${++fileCount}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function failure(load: () => unknown, code = 'RT_ERR_CONFIG'): RuntimeError {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof RuntimeError, `expected a RuntimeError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.retryable, false);
    return err;
  }
  assert.fail('loaded although invalid');
}

describe('loadRuntimeConfig', () => {
  test('defaults', () => {
    const config = loadRuntimeConfig({ env: {} });
    assert.equal(config.mqttUrl, 'mqtt://127.0.0.1:1883');
    assert.equal(config.models, 'shipped');
    assert.equal(config.detector.enabled, true);
    assert.deepEqual(config.scoring, { batchSize: 512, batchWindowMs: 20, intraOpThreads: 1, queueMax: 20000, maxDevices: 50000 });
    assert.equal(config.alerts.cooldownMs, 60000);
    assert.equal(config.internalSecret, undefined);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.scoring));
  });

  test('every leaf has a description and an OUTPOST_RT_ variable of its own', () => {
    const envs = RUNTIME_CONFIG_FIELDS.map((f) => f.env);
    assert.equal(new Set(envs).size, envs.length);
    for (const field of RUNTIME_CONFIG_FIELDS) {
      assert.match(field.env, /^OUTPOST_RT_[A-Z0-9_]+$/);
      assert.ok(field.description.length > 0, `${field.key} has no description`);
    }
    const byKey = Object.fromEntries(RUNTIME_CONFIG_FIELDS.map((f) => [f.key, f.env]));
    assert.equal(byKey.mqttUrl, 'OUTPOST_RT_MQTT_URL');
    assert.equal(byKey.internalSecretFile, 'OUTPOST_RT_INTERNAL_SECRET_FILE');
    assert.equal(byKey['scoring.intraOpThreads'], 'OUTPOST_RT_SCORING_INTRA_OP_THREADS');
  });

  test('layers: file < env < flags', async () => {
    const file = configFile({ dataDir: '/from/file', scoring: { batchSize: 64, queueMax: 100 }, models: ['/a.json'] });
    const config = loadRuntimeConfig({
      env: { OUTPOST_RT_SCORING_BATCH_SIZE: '128', OUTPOST_RT_DETECTOR_ENABLED: 'false', OUTPOST_RT_MODELS: '/x.json, /y.json', OUTPOST_RT_INTERNAL_SECRET: 's'.repeat(30) },
      file,
      overrides: parseCliFlags(['--data-dir', '/from/flag', '--log-level', 'debug']).overrides,
    });
    assert.equal(config.dataDir, '/from/flag');
    assert.equal(config.scoring.batchSize, 128);
    assert.equal(config.scoring.queueMax, 100);
    assert.equal(config.detector.enabled, false);
    assert.equal(config.log.level, 'debug');
    assert.deepEqual(await resolveModelPaths(config.models, () => []), ['/x.json', '/y.json']);
    assert.deepEqual(await resolveModelPaths('shipped', () => ['/shipped.json']), ['/shipped.json']);
    assert.deepEqual(await resolveModelPaths(['/a.json'], () => []), ['/a.json']);
  });

  test('a bad value names the key, its source, the value and the expectation', () => {
    const err = failure(() =>
      loadRuntimeConfig({
        env: { OUTPOST_RT_SCORING_INTRA_OP_THREADS: '3', OUTPOST_RT_MQTT_URL: 'localhost' },
        file: configFile({ alerts: { cooldownMs: -1 }, scoring: { batchSzie: 2 } }),
      }),
    );
    assert.match(err.message, /scoring\.intraOpThreads from env OUTPOST_RT_SCORING_INTRA_OP_THREADS: got 3, expected integer 1–2/);
    assert.match(err.message, /mqttUrl from env OUTPOST_RT_MQTT_URL: got "localhost", expected string \(must be a URL like mqtt:\/\/host:port\)/);
    assert.match(err.message, /alerts\.cooldownMs from file .*: got -1, expected integer ≥ 0/);
    assert.match(err.message, /scoring\.batchSzie from file .*: unknown key \(known here: batchSize, batchWindowMs/);
  });

  test('reconnectMinMs above reconnectMaxMs is refused', () => {
    const err = failure(() => loadRuntimeConfig({ env: { OUTPOST_RT_MQTT_RECONNECT_MIN_MS: '5000', OUTPOST_RT_MQTT_RECONNECT_MAX_MS: '1000' } }));
    assert.match(err.message, /mqtt\.reconnectMaxMs .*reconnectMinMs must not exceed reconnectMaxMs/);
  });

  test('the internal secret is accepted only from the environment', () => {
    const err = failure(() => loadRuntimeConfig({ env: {}, file: configFile({ internalSecret: 'x'.repeat(30) }) }));
    assert.match(err.message, /internalSecret from file .*: accepted only from the environment \(OUTPOST_RT_INTERNAL_SECRET\)/);
    assert.doesNotMatch(err.message, /xxxx/);
  });

  test('an unreadable file and unknown flags are configuration errors', () => {
    assert.match(failure(() => loadRuntimeConfig({ env: {}, file: join(dir, 'missing.json') })).message, /cannot read config file/);
    assert.match(failure(() => loadRuntimeConfig({ env: {}, file: configFile('{ nope') })).message, /is not a JSON object/);
    assert.match(failure(() => parseCliFlags(['--mqtt-port', '1883'])).message, /Unknown option '--mqtt-port'/);
    assert.equal(parseCliFlags(['--help']).help, true);
  });

  test('readInternalSecret: the env value, else the trimmed file, else RT_ERR_SECRET', () => {
    const secretFile = join(dir, 'internal-secret');
    writeFileSync(secretFile, 'abc123\n');
    assert.equal(readInternalSecret({ internalSecret: undefined, internalSecretFile: secretFile }), 'abc123');
    assert.equal(readInternalSecret({ internalSecret: 'from-env', internalSecretFile: secretFile }), 'from-env');
    const err = failure(() => readInternalSecret({ internalSecret: undefined, internalSecretFile: join(dir, 'none') }), 'RT_ERR_SECRET');
    assert.match(err.message, /cannot read internalSecretFile/);
  });
});
