import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type MosquittoHandle, startMosquitto } from '../src/bench/mosquitto.js';
import { runScenario } from '../src/scenario/run-scenario.js';
import { parseScenario, readScenarioFile } from '../src/scenario/scenario-schema.js';
import type { AnomalyLabel } from '@outpost/models/signals';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIOS = join(REPO_ROOT, 'device-sim/scenarios');

function runSim(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'device-sim/src/main.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('scenario files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outpost-scenario-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts every shipped example', async () => {
    const files = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 2);
    for (const f of files) assert.ok((await readScenarioFile(join(SCENARIOS, f))).phases.length > 0, f);
  });

  it('names each bad field with what it expects', () => {
    assert.throws(
      () =>
        parseScenario({
          name: 'bad',
          devices: { qos: 2 },
          phases: [{ type: 'ramp', devices: 'ten' }, { type: 'stedy', durationS: 1 }, { type: 'steady', durationS: -1 }, { type: 'partition', target: 'hub', durationS: 1 }],
        }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'SIM_ERR_SCENARIO');
        assert.match(err.message, /devices\.qos: must be 0 or 1/);
        assert.match(err.message, /phases\[0\]\.devices: .*expected number/);
        assert.match(err.message, /phases\[1\]\.type: must have "type" one of ramp, steady/);
        assert.match(err.message, /phases\[2\]\.durationS: .*>0/);
        return true;
      },
    );
    assert.throws(() => parseScenario({ name: 'x', proxies: [], phases: [{ type: 'ramp', devices: 1 }, { type: 'partition', target: 'hub', durationS: 1 }] }), /phases\[1\]\.target: no proxy named "hub"/);
    assert.throws(() => parseScenario({ name: 'x', phases: [{ type: 'steady', durationS: 1 }] }), /phases\[0\]\.type: the first phase must be a ramp/);
  });

  it('exits 2 on a bad file, naming the field, and on a file that is not JSON', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'bad', phases: [{ type: 'ramp', devices: 5, connectRatePerSec: -1 }] }));
    const r = await runSim(['scenario', bad]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /phases\[0\]\.connectRatePerSec: .*>=0/);
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{ name: ');
    const r2 = await runSim(['scenario', notJson]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /not JSON/);
  });
});

describe('a scenario run against Mosquitto', () => {
  let broker: MosquittoHandle;
  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await broker?.close();
  });

  it('ramps, storms, partitions, skews and injects labelled anomalies, reporting each phase', async () => {
    const labels: AnomalyLabel[] = [];
    const scenario = parseScenario({
      name: 'short',
      devices: { idPrefix: 'sct-', ratePerSec: 20, profile: 'temperature', seed: 5, reconnectMs: 200 },
      phases: [
        { type: 'ramp', devices: 4, connectRatePerSec: 0 },
        { type: 'reconnect-storm', holdMs: 100, timeoutS: 20 },
        { type: 'partition', target: 'devices', mode: 'drop', durationS: 0.5 },
        { type: 'clock-skew', devices: 2, offsetMs: -60_000, durationS: 0.5 },
        { type: 'anomalies', rate: 0.2, types: ['spike'], durationS: 1.5 },
      ],
    });
    const result = await runScenario({ scenario, url: broker.url, log: () => {}, onLabels: (l) => labels.push(...l) });
    const [ramp, storm, partition, skew] = result.phases;
    assert.equal(result.phases.length, 5);
    assert.deepEqual(ramp?.details.allConnected, true);
    assert.equal(storm?.details.dropped, 4);
    assert.equal(storm?.details.stillDown, 0);
    assert.equal(typeof storm?.details.allBackMs, 'number');
    assert.equal(partition?.details.connectionsDropped, 4);
    assert.equal(partition?.details.allReconnected, true);
    assert.equal(skew?.details.devices, 2);
    assert.ok(labels.length > 0 && labels.every((l) => l.type === 'spike' && l.metric === 'temperature'), JSON.stringify(labels.slice(0, 3)));
    assert.equal(result.load.devices.length, 4);
    assert.ok(result.load.totals.acked > 0);
  });
});

