import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type DeviceConfig, type ReportingPolicy, decodeMessage, deviceTopics } from '@outpost/protocols';
import { pino } from 'pino';
import { migrate, openDatabase } from '../store/database.js';
import { createDeviceConfigs } from './device-configs.js';
import { createReportingStore } from './reporting-store.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-configs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Device configs over a real SQLite file; what they publish and what they announce is recorded. */
function setup() {
  const db = openDatabase(join(dir, `store-${n++}.sqlite`), { synchronous: 'normal' });
  migrate(db);
  const published: { topic: string; config: DeviceConfig }[] = [];
  const announced: { deviceId: string; mode: string | null; configVersion: number }[] = [];
  const make = () =>
    createDeviceConfigs({
      store: createReportingStore(db),
      publish: (topic, payload, done) => {
        published.push({ topic, config: decodeMessage('deviceConfig', payload).message });
        done();
      },
      onReporting: (deviceId, reporting, configVersion) => announced.push({ deviceId, mode: reporting?.mode ?? null, configVersion }),
      log: pino({ level: 'silent' }),
    });
  return { db, published, announced, make };
}

const adaptive: ReportingPolicy = { intervalMs: 1000, mode: 'adaptive', predictor: 'lms', tolerance: { temp: 0.5 }, maxSilenceMs: 60_000 };
const versions = (p: { config: DeviceConfig }[]) => p.map((x) => x.config.configVersion);

describe('device configs: local reporting policy and the hub’s desired config on one topic', () => {
  it('merges the local policy over the hub’s reporting and keeps configVersion increasing whoever changes what', () => {
    const { published, announced, make } = setup();
    const configs = make();
    configs.hubDesired('d1', { v: 1, configVersion: 1, reporting: { intervalMs: 5000, mode: 'periodic' }, props: { site: 'north' } });
    configs.setPolicy('d1', adaptive);
    // The hub moves on (its own version is below ours): props change, the local policy stays in force.
    configs.hubDesired('d1', { v: 1, configVersion: 2, reporting: { intervalMs: 10_000, mode: 'periodic' }, props: { site: 'south' } });
    // The same desired config again (a resend after a reconnect) publishes nothing.
    configs.hubDesired('d1', { v: 1, configVersion: 2, reporting: { intervalMs: 10_000, mode: 'periodic' }, props: { site: 'south' } });
    // A hub version far ahead is taken as is.
    configs.hubDesired('d1', { v: 1, configVersion: 40, props: { site: 'east' } });
    configs.clearPolicy('d1');
    assert.deepEqual(versions(published), [1, 2, 3, 40, 41]);
    assert.ok(published.every((p) => p.topic === deviceTopics.config('d1')));
    assert.deepEqual(published[1]!.config, { v: 1, configVersion: 2, reporting: adaptive, props: { site: 'north' } });
    assert.deepEqual(published[2]!.config, { v: 1, configVersion: 3, reporting: adaptive, props: { site: 'south' } });
    assert.deepEqual(published[4]!.config, { v: 1, configVersion: 41, props: { site: 'east' } }, 'without a local policy the hub’s (absent) reporting applies');
    assert.deepEqual(
      announced.map((a) => a.mode),
      ['periodic', 'adaptive', 'adaptive', 'adaptive', null],
    );
    assert.deepEqual(configs.view('d1'), { deviceId: 'd1', policy: null, hubReporting: null, effective: null, configVersion: 41 });
  });

  it('a resync and a restart publish adaptive configs under a new configVersion; periodic ones keep theirs', () => {
    const { db, published, make } = setup();
    const configs = make();
    configs.setPolicy('a', adaptive);
    configs.setPolicy('p', { intervalMs: 2000, mode: 'periodic' });
    configs.resync('a');
    assert.deepEqual(versions(published), [1, 1, 2]);
    published.length = 0;
    // A new process over the same store: the broker lost its retained messages, so everything goes out again.
    const restarted = createDeviceConfigs({ store: createReportingStore(db), publish: (topic, payload, done) => (published.push({ topic, config: decodeMessage('deviceConfig', payload).message }), done()), onReporting: () => {}, log: pino({ level: 'silent' }) });
    assert.equal(restarted.republishAll(), 2);
    assert.deepEqual(
      published.map((p) => [p.topic, p.config.configVersion]),
      [
        [deviceTopics.config('a'), 3],
        [deviceTopics.config('p'), 1],
      ],
    );
    assert.equal(restarted.clearPolicy('nobody'), null);
  });
});
