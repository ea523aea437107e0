import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GatewayError } from '../errors.js';
import { GATEWAY_CONFIG_FIELDS, loadGatewayConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function configFile(content: unknown): string {
  const file = join(dir, `config-${++fileCount}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The GatewayError a load throws; fails the test when the load succeeds or throws something else. */
function configError(load: () => unknown): GatewayError {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, 'GW_ERR_CONFIG');
    assert.equal(err.retryable, false);
    return err;
  }
  assert.fail('the configuration loaded although it is invalid');
}

describe('loadGatewayConfig', () => {
  test('loads the defaults when nothing is set', () => {
    const config = loadGatewayConfig({ env: {} });
    assert.equal(config.dataDir, '.outpost/gateway');
    assert.equal(config.log.level, 'info');
    assert.deepEqual(config.mqtt, { host: '0.0.0.0', port: 1883, wsPort: 8083, tlsPort: 8883 });
    assert.equal(config.http.port, 8080);
    assert.equal(config.http.apiToken, undefined);
    assert.equal(config.store.maxBytes, 2 * 1024 ** 3);
    assert.equal(config.store.synchronous, 'full');
    assert.equal(config.ingest.maxQueuedRows, 50000);
    assert.equal(config.auth.scryptCost, 16384);
  });

  test('every leaf has a description and an OUTPOST_GW_ variable of its own', () => {
    const envs = GATEWAY_CONFIG_FIELDS.map((f) => f.env);
    assert.equal(new Set(envs).size, envs.length);
    for (const field of GATEWAY_CONFIG_FIELDS) {
      assert.match(field.env, /^OUTPOST_GW_[A-Z0-9_]+$/);
      assert.ok(field.description.length > 0, `${field.key} has no description`);
    }
    const byKey = Object.fromEntries(GATEWAY_CONFIG_FIELDS.map((f) => [f.key, f]));
    assert.equal(byKey['mqtt.wsPort']?.env, 'OUTPOST_GW_MQTT_WS_PORT');
    assert.equal(byKey['mqtt.port']?.type, 'integer 0–65535');
    assert.equal(byKey['mqtt.wsPort']?.type, 'integer 0–65535 | "off"');
    assert.equal(byKey['store.maxBytes']?.type, 'integer ≥ 1048576');
    assert.equal(byKey['limits.deviceMsgsPerSec']?.type, 'number > 0');
  });

  test('maps OUTPOST_GW_* variables onto keys, reading numbers, "off" and text', () => {
    const config = loadGatewayConfig({
      env: {
        OUTPOST_GW_MQTT_PORT: '1884',
        OUTPOST_GW_MQTT_WS_PORT: 'off',
        OUTPOST_GW_STORE_MAX_BYTES: '1073741824',
        OUTPOST_GW_STORE_SYNCHRONOUS: 'normal',
        OUTPOST_GW_LIMITS_DEVICE_MSGS_PER_SEC: '2.5',
        // Text keys keep digit-only values as text.
        OUTPOST_GW_DATA_DIR: '2024',
        OUTPOST_GW_HTTP_API_TOKEN: '123456789012345678901234567890',
        OUTPOST_GW_HTTP_PORT: '',
      },
    });
    assert.equal(config.mqtt.port, 1884);
    assert.equal(config.mqtt.wsPort, 'off');
    assert.equal(config.store.maxBytes, 1024 ** 3);
    assert.equal(config.store.synchronous, 'normal');
    assert.equal(config.limits.deviceMsgsPerSec, 2.5);
    assert.equal(config.dataDir, '2024');
    assert.equal(config.http.apiToken, '123456789012345678901234567890');
    assert.equal(config.http.port, 8080, 'an empty variable counts as unset');
  });

  test('precedence: defaults < file < environment < overrides', () => {
    const file = configFile({ mqtt: { port: 1000, wsPort: 1002 }, http: { port: 1001 }, store: { maxAgeDays: 7 } });
    const config = loadGatewayConfig({
      file,
      env: { OUTPOST_GW_MQTT_PORT: '2000', OUTPOST_GW_HTTP_PORT: '2001' },
      overrides: { http: { port: 3001 } },
    });
    assert.equal(config.mqtt.wsPort, 1002, 'file over default');
    assert.equal(config.store.maxAgeDays, 7, 'file over default');
    assert.equal(config.mqtt.port, 2000, 'environment over file');
    assert.equal(config.http.port, 3001, 'overrides over environment');
    assert.equal(config.mqtt.tlsPort, 8883, 'defaults fill what no layer sets');
  });

  test('reads the file named by $OUTPOST_GW_CONFIG; an explicit file wins over it', () => {
    const fromEnv = configFile({ mqtt: { port: 1111 } });
    const explicit = configFile({ mqtt: { port: 2222 } });
    assert.equal(loadGatewayConfig({ env: { OUTPOST_GW_CONFIG: fromEnv } }).mqtt.port, 1111);
    assert.equal(loadGatewayConfig({ env: { OUTPOST_GW_CONFIG: fromEnv }, file: explicit }).mqtt.port, 2222);
  });

  test('the result is deeply frozen', () => {
    const config = loadGatewayConfig({ env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.mqtt));
    assert.throws(() => {
      (config as { dataDir: string }).dataDir = '/elsewhere';
    }, TypeError);
    assert.throws(() => {
      (config.mqtt as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.store as Record<string, unknown>).extra = 1;
    }, TypeError);
    assert.equal(config.mqtt.port, 1883);
  });

  test('a bad environment value names the key, the variable, the value and the expectation', () => {
    const err = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_MQTT_PORT: 'abc' } }));
    assert.match(err.message, /mqtt\.port from env OUTPOST_GW_MQTT_PORT: got "abc", expected integer 0–65535/);

    const tooBig = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_MQTT_WS_PORT: '70000' } }));
    assert.match(tooBig.message, /mqtt\.wsPort from env OUTPOST_GW_MQTT_WS_PORT: got 70000, expected integer 0–65535 \| "off"/);

    const notInt = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_INGEST_BATCH_MAX_ROWS: '1.5' } }));
    assert.match(notInt.message, /ingest\.batchMaxRows from env OUTPOST_GW_INGEST_BATCH_MAX_ROWS: got 1\.5, expected integer 1–100000/);

    const badEnum = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_LOG_LEVEL: 'loud' } }));
    assert.match(badEnum.message, /log\.level from env OUTPOST_GW_LOG_LEVEL: got "loud", expected "fatal" \| "error"/);
  });

  test('a bad file value names the file; a bad override names the command line', () => {
    const file = configFile({ auth: { scryptCost: 3000 } });
    const fromFile = configError(() => loadGatewayConfig({ env: {}, file }));
    assert.ok(fromFile.message.includes(`auth.scryptCost from file ${file}: got 3000, expected integer ≥ 1024`), fromFile.message);
    assert.match(fromFile.message, /must be a power of two/);

    const fromFlags = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_HTTP_PORT: '8081' }, overrides: { http: { port: 70000 } } }));
    assert.match(fromFlags.message, /http\.port from command line: got 70000, expected integer 0–65535/);
  });

  test('reports every bad value at once, one line per key', () => {
    const err = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_MQTT_PORT: 'abc', OUTPOST_GW_AUTH_SCRYPT_COST: '7' } }));
    assert.match(err.message, /2 bad values/);
    assert.equal(err.message.match(/auth\.scryptCost/g)?.length, 1, 'one line for a value that fails two checks');
    assert.match(err.message, /mqtt\.port/);
  });

  test('unknown keys in the file are refused, at the top and inside sections', () => {
    const file = configFile({ mqtt: { prot: 1884 }, colour: 'blue' });
    const err = configError(() => loadGatewayConfig({ env: {}, file }));
    assert.ok(err.message.includes(`mqtt.prot from file ${file}: unknown key`), err.message);
    assert.match(err.message, /known here: host, port, wsPort/);
    assert.ok(err.message.includes(`colour from file ${file}: unknown key`), err.message);
  });

  test('an unreadable file and a file that is not a JSON object give clear errors', () => {
    const missing = join(dir, 'missing.json');
    const unreadable = configError(() => loadGatewayConfig({ env: {}, file: missing }));
    assert.ok(unreadable.message.includes(`cannot read config file ${missing}`), unreadable.message);
    assert.match(unreadable.message, /ENOENT/);

    const notJson = configFile('mqtt:\n  port: 1883\n');
    const parseError = configError(() => loadGatewayConfig({ env: {}, file: notJson }));
    assert.ok(parseError.message.includes(`config file ${notJson} is not a JSON object`), parseError.message);
    assert.ok(parseError.cause instanceof SyntaxError);

    const array = configFile([1, 2]);
    assert.match(configError(() => loadGatewayConfig({ env: {}, file: array })).message, /is not a JSON object: top level must be an object/);

    const viaEnv = configError(() => loadGatewayConfig({ env: { OUTPOST_GW_CONFIG: missing } }));
    assert.ok(viaEnv.message.includes(missing));
  });
});
