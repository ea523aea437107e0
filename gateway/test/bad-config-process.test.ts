import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { GatewayError } from '../src/errors.js';
import { loadGatewayConfig } from '../src/config/load-config.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'outpost-bad-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** Run `outpost-gateway <args>` from source with only the given OUTPOST_GW_* variables set. */
function runGateway(args: string[], gatewayEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OUTPOST_GW_')));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'gateway/src/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...env, ...gatewayEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A gateway that wrongly starts would run until killed; stop it so the test fails instead of hanging.
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function loaderMessage(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    if (err instanceof GatewayError) return err.message;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

test('a bad environment value stops `start` with exit code 78 and names key, variable and value', async () => {
  const result = await runGateway(['start', '--data-dir', dataDir], { OUTPOST_GW_MQTT_PORT: 'abc' });
  assert.equal(result.code, 78, `exit code; stderr:\n${result.stderr}`);
  assert.match(result.stderr, /GW_ERR_CONFIG/);
  assert.match(result.stderr, /mqtt\.port/);
  assert.match(result.stderr, /OUTPOST_GW_MQTT_PORT/);
  assert.match(result.stderr, /"abc"/);
  assert.match(result.stderr, /expected integer 0–65535/);
  // What the operator sees is the loader's own message, as docs/configuration.md shows it.
  assert.ok(result.stderr.includes(loaderMessage(() => loadGatewayConfig({ env: { OUTPOST_GW_MQTT_PORT: 'abc' } }))), result.stderr);
  assert.equal(existsSync(join(dataDir, 'gateway.sqlite')), false, 'nothing was opened before the config was checked');
});

test('an unknown key in the --config file stops `start` with exit code 78 and names the file', async () => {
  const file = join(dataDir, 'gateway.json');
  writeFileSync(file, JSON.stringify({ mqtt: { prot: 1884 } }));
  const result = await runGateway(['--config', file, 'start', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0'], {});
  assert.equal(result.code, 78, `exit code; stderr:\n${result.stderr}`);
  assert.ok(result.stderr.includes(`mqtt.prot from file ${file}: unknown key`), result.stderr);
});
