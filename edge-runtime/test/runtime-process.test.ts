// outpost-edge-runtime as the gateway's supervisor runs it: a process started from src/main.ts by path.
// A bad configuration exits 78 naming the problem; SIGTERM drains, reports stopping and exits 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { decodeMessage, type LocalRuntimeStatus, localTopics } from '@outpost/protocols';
import { connectAsync } from 'mqtt';
import { stateFilePath } from '../src/state/state-file.js';
import { hasMosquitto, startMosquitto } from './helpers/mosquitto.js';
import { writeTestModel } from './helpers/test-models.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outpost-rt-process-'));
  writeFileSync(join(dir, 'secret'), 'an-internal-secret-of-enough-length\n');
});
after(() => rm(dir, { recursive: true, force: true }));

function spawnRuntime(args: string[], runtimeEnv: Record<string, string>): ChildProcess & { output: () => { stdout: string; stderr: string } } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OUTPOST_RT_')));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'edge-runtime/src/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...env, ...runtimeEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000, // a runtime that wrongly keeps running is stopped, so the test fails instead of hanging
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('close', (code) => resolve(code))));

test('a bad value exits 78 naming key, variable, value and expectation', async () => {
  const child = spawnRuntime(['--data-dir', join(dir, 'data')], { OUTPOST_RT_SCORING_BATCH_WINDOW_MS: 'soon', OUTPOST_RT_INTERNAL_SECRET_FILE: join(dir, 'secret') });
  assert.equal(await exitOf(child), 78, child.output().stderr);
  assert.match(child.output().stderr, /error RT_ERR_CONFIG: .*\n {2}scoring\.batchWindowMs from env OUTPOST_RT_SCORING_BATCH_WINDOW_MS: got "soon", expected integer 0–1000/);
});

test('a rules file with problems exits 78 listing them', async () => {
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify({ rules: [{ id: 'x', kind: 'threshold', metric: 'temperature', op: '=>', value: 1 }] }));
  const child = spawnRuntime(['--rules-file', rules, '--data-dir', join(dir, 'data')], { OUTPOST_RT_INTERNAL_SECRET_FILE: join(dir, 'secret') });
  assert.equal(await exitOf(child), 78, child.output().stderr);
  assert.match(child.output().stderr, /error RT_ERR_RULES: .*\n {2}rules\[0\] \(id "x"\): op: /);
});

test('a missing internal secret file exits 78', async () => {
  const child = spawnRuntime(['--data-dir', join(dir, 'data')], { OUTPOST_RT_INTERNAL_SECRET_FILE: join(dir, 'no-such-secret') });
  assert.equal(await exitOf(child), 78, child.output().stderr);
  assert.match(child.output().stderr, /error RT_ERR_SECRET: .*cannot read internalSecretFile/);
});

test('SIGTERM: the runtime reports stopping, saves its state and exits 0', { skip: hasMosquitto() ? false : 'mosquitto is not installed' }, async () => {
  const broker = await startMosquitto(dir);
  const model = await writeTestModel(join(dir, 'models'));
  const gateway = await connectAsync(broker.url, { clientId: 'gateway-stand-in' });
  const statuses: LocalRuntimeStatus[] = [];
  gateway.on('message', (_topic, payload) => statuses.push(decodeMessage('localRuntimeStatus', payload).message));
  await gateway.subscribeAsync(localTopics.runtimeStatus(), { qos: 1 });
  try {
    const child = spawnRuntime([], {
      OUTPOST_RT_MQTT_URL: broker.url,
      OUTPOST_RT_DATA_DIR: join(dir, 'data'),
      OUTPOST_RT_INTERNAL_SECRET_FILE: join(dir, 'secret'),
      OUTPOST_RT_MODELS: model.manifestPath,
    });
    for (let i = 0; i < 1000 && !statuses.some((s) => s.state === 'ready'); i++) await sleep(25);
    assert.ok(statuses.some((s) => s.state === 'ready' && s.modelVersion === 'ae-test@1.0.0'), `no ready status; stderr:\n${child.output().stderr}`);
    child.kill('SIGTERM');
    assert.equal(await exitOf(child), 0, child.output().stderr);
    assert.equal(statuses.at(-1)?.state, 'stopping');
    assert.ok(existsSync(stateFilePath(join(dir, 'data'))));
    // JSON lines on stdout from one root logger.
    const lines = child.output().stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; msg: string });
    assert.ok(lines.every((l) => l.name === 'outpost-edge-runtime'));
    assert.ok(lines.some((l) => l.msg === 'edge-runtime stopped'));
  } finally {
    await gateway.endAsync(true);
    await broker.stop();
  }
});
