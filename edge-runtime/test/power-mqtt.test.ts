// The power manager inside a whole runtime over real MQTT (Mosquitto standing in for the gateway's broker),
// driven by a simulated power file: the mode is published retained and labelled simulated, and each mode
// changes the runtime's scoring batch window and log level; critical saves the state at once.
import assert from 'node:assert/strict';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMessage, type LocalPowerMode, localTopics } from '@outpost/protocols';
import { connectAsync } from 'mqtt';
import { pino } from 'pino';
import { loadRuntimeConfig } from '../src/config/load-config.js';
import { createRuntime, type Runtime } from '../src/create-runtime.js';
import { stateFilePath } from '../src/state/state-file.js';
import { hasMosquitto, startMosquitto } from './helpers/mosquitto.js';

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('power manager over MQTT with a simulated power file', { skip: hasMosquitto() ? false : 'mosquitto is not installed' }, () => {
  let dir: string;
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let runtime: Runtime;
  let powerFile: string;
  const logLines: { msg: string; event?: string; simulated?: boolean }[] = [];

  /** Write the file the way the docs ask: a temp file renamed over it. */
  const setPower = (values: object) => {
    writeFileSync(`${powerFile}.tmp`, JSON.stringify(values));
    renameSync(`${powerFile}.tmp`, powerFile);
  };

  /** A fresh subscriber sees only the retained message: what the gateway gets when it (re)connects. */
  async function retainedMode(): Promise<LocalPowerMode | null> {
    const client = await connectAsync(broker.url, { clientId: `reader-${Math.random()}`, reconnectPeriod: 0 });
    try {
      const got = new Promise<LocalPowerMode>((resolve) => client.on('message', (_t, payload) => resolve(decodeMessage('localPowerMode', payload).message)));
      await client.subscribeAsync(localTopics.powerMode(), { qos: 1 });
      return await Promise.race([got, sleep(500).then(() => null)]);
    } finally {
      await client.endAsync(true);
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outpost-rt-power-'));
    broker = await startMosquitto(dir);
    writeFileSync(join(dir, 'internal-secret'), 'an-internal-secret-of-enough-length\n');
    powerFile = join(dir, 'power.json');
    setPower({ source: 'battery', batteryPercent: 80, charging: false });
    const config = loadRuntimeConfig({
      env: {},
      overrides: {
        mqttUrl: broker.url,
        dataDir: join(dir, 'runtime'),
        internalSecretFile: join(dir, 'internal-secret'),
        models: [],
        log: { level: 'debug' },
        power: { source: 'file', file: powerFile, sampleIntervalMs: 100, confirmSamples: 1, minDwellMs: 0 },
      },
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as (typeof logLines)[number]);
        done();
      },
    });
    runtime = createRuntime(config, { logger: pino({ level: 'debug' }, sink) });
    await runtime.start();
  });

  after(async () => {
    await runtime?.close();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('publishes the mode retained, labelled simulated, with the sample behind it', async () => {
    const mode = await until('a retained power mode', async () => (await retainedMode()) ?? undefined);
    assert.deepEqual(
      { mode: mode.mode, simulated: mode.simulated, source: mode.source, batteryPercent: mode.batteryPercent, charging: mode.charging, reason: mode.reason },
      { mode: 'balanced', simulated: true, source: 'battery', batteryPercent: 80, charging: false, reason: 'on battery at 80 %' },
    );
    assert.equal(runtime.core.loop.currentBatchWindowMs, 20);
    assert.equal(runtime.logger.level, 'debug');
    const line = logLines.find((l) => l.event === 'power-mode');
    assert.ok(line?.simulated, 'the mode change is logged as simulated');
    assert.match(line.msg, /power mode balanced \(simulated\)/);
  });

  test('saver lengthens the scoring batch window and drops debug logging', async () => {
    setPower({ source: 'battery', batteryPercent: 25, charging: false });
    await until('saver', async () => (await retainedMode())?.mode === 'saver');
    assert.equal(runtime.core.loop.currentBatchWindowMs, 250);
    assert.equal(runtime.logger.level, 'info');
  });

  test('critical saves the state at once and keeps only warnings', async () => {
    const saved = runtime.events.count('state_saved');
    setPower({ source: 'battery', batteryPercent: 5, charging: false });
    await until('critical', async () => (await retainedMode())?.mode === 'critical');
    assert.ok(runtime.events.count('state_saved') > saved, 'the state was saved on entering critical');
    assert.ok(existsSync(stateFilePath(join(dir, 'runtime'))));
    assert.equal(runtime.core.loop.currentBatchWindowMs, 1000);
    assert.equal(runtime.powerEffects()?.trainingAllowed, false);
    assert.equal(runtime.logger.level, 'warn');
  });

  test('a torn power file changes nothing and shows in the status; mains brings performance back', async () => {
    writeFileSync(powerFile, '{"source":"ac"');
    await until('the problem in the status', () => runtime.status().detail?.includes('RT_ERR_POWER_SOURCE'));
    assert.equal(runtime.health.state, 'ready', 'a power source problem does not degrade scoring');
    assert.equal(runtime.powerMode()?.mode, 'critical');
    setPower({ source: 'ac' });
    await until('performance', async () => (await retainedMode())?.mode === 'performance');
    assert.equal(runtime.status().detail?.includes('RT_ERR_POWER_SOURCE') ?? false, false);
    assert.equal(runtime.core.loop.currentBatchWindowMs, 20);
    assert.equal(runtime.logger.level, 'debug');
    assert.equal(runtime.powerEffects()?.trainingAllowed, true, 'training only in performance');
  });
});
