import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEVICE_DOWNLINK_KINDS,
  DEVICE_TOPIC_ROOT,
  DEVICE_UPLINK_KINDS,
  deviceTopic,
  deviceTopicPrefix,
  deviceTopics,
  isUplinkKind,
  isValidDeviceId,
  parseDeviceTopic,
} from './device-topics.js';
import { isLocalTopic, LOCAL_TOPIC_ROOT, localTopics } from './local-topics.js';

const ALL_KINDS = [...DEVICE_UPLINK_KINDS, ...DEVICE_DOWNLINK_KINDS];
const BAD_IDS: [string, string][] = [
  ['empty', ''],
  ['the + wildcard', '+'],
  ['the # wildcard', '#'],
  ['a + inside', 'dev+1'],
  ['a # at the end', 'dev#'],
  ['a slash', 'site/dev-1'],
  ['65 characters', `d${'x'.repeat(64)}`],
  ['a leading dash', '-dev'],
  ['a leading dot', '.dev'],
  ['a space', 'dev 1'],
  ['a NUL character', 'dev\u0000'],
  ['non-ASCII letters', 'gerät'],
];

describe('device topics', () => {
  it('builds every topic under outpost/v1/d/{deviceId}/', () => {
    assert.equal(DEVICE_TOPIC_ROOT, 'outpost/v1/d');
    assert.equal(deviceTopics.telemetry('dev-1'), 'outpost/v1/d/dev-1/telemetry');
    assert.equal(deviceTopics.events('dev-1'), 'outpost/v1/d/dev-1/events');
    assert.equal(deviceTopics.state('dev-1'), 'outpost/v1/d/dev-1/state');
    assert.equal(deviceTopics.config('dev-1'), 'outpost/v1/d/dev-1/config');
    assert.equal(deviceTopics.commands('dev-1'), 'outpost/v1/d/dev-1/commands');
    assert.equal(deviceTopics.commandResults('dev-1'), 'outpost/v1/d/dev-1/command-results');
    assert.equal(deviceTopics.errors('dev-1'), 'outpost/v1/d/dev-1/errors');
    assert.equal(deviceTopics.allOf('dev-1'), 'outpost/v1/d/dev-1/#');
    assert.equal(deviceTopicPrefix('dev-1'), 'outpost/v1/d/dev-1/');
  });

  it('parses what it builds, for every kind and for ids at the length and character limits', () => {
    for (const deviceId of ['a', '0', 'Dev_1.b-2', 'x'.repeat(64)]) {
      for (const kind of ALL_KINDS) {
        assert.deepEqual(parseDeviceTopic(deviceTopic(deviceId, kind)), { deviceId, kind });
      }
    }
  });

  it('separates uplink from downlink kinds', () => {
    for (const kind of DEVICE_UPLINK_KINDS) assert.equal(isUplinkKind(kind), true, kind);
    for (const kind of DEVICE_DOWNLINK_KINDS) assert.equal(isUplinkKind(kind), false, kind);
    assert.equal(new Set(ALL_KINDS).size, ALL_KINDS.length, 'a kind is both uplink and downlink');
  });

  for (const [label, id] of BAD_IDS) {
    it(`refuses a device id with ${label}`, () => {
      assert.equal(isValidDeviceId(id), false);
      assert.throws(() => deviceTopics.telemetry(id), RangeError);
      assert.throws(() => deviceTopicPrefix(id), RangeError);
      assert.throws(() => deviceTopics.allOf(id), RangeError);
      assert.equal(parseDeviceTopic(`${DEVICE_TOPIC_ROOT}/${id}/telemetry`), null);
    });
  }

  it('accepts ids of exactly 64 characters and refuses 65', () => {
    assert.equal(isValidDeviceId('a'.repeat(64)), true);
    assert.equal(isValidDeviceId('a'.repeat(65)), false);
  });

  it('parses nothing that is not exactly root/id/kind', () => {
    const notDeviceTopics = [
      '',
      'outpost/v1/d',
      'outpost/v1/d/',
      'outpost/v1/d/dev-1',
      'outpost/v1/d/dev-1/',
      'outpost/v1/d//telemetry',
      'outpost/v1/d/dev-1/telemetry/',
      'outpost/v1/d/dev-1/telemetry/extra',
      'outpost/v1/d/dev-1/unknown',
      'outpost/v1/d/dev-1/Telemetry',
      'outpost/v1/d/dev-1/+',
      'outpost/v1/d/dev-1/#',
      'outpost/v1/d/+/telemetry',
      'outpost/v2/d/dev-1/telemetry',
      '/outpost/v1/d/dev-1/telemetry',
      'outpost/v1/dx/dev-1/telemetry',
      'local/v1/readings',
    ];
    for (const topic of notDeviceTopics) assert.equal(parseDeviceTopic(topic), null, topic);
  });
});

describe('local topics', () => {
  it('builds every local topic under local/v1/', () => {
    assert.equal(LOCAL_TOPIC_ROOT, 'local/v1');
    assert.equal(localTopics.readings(), 'local/v1/readings');
    assert.equal(localTopics.alerts(), 'local/v1/alerts');
    assert.equal(localTopics.runtimeStatus(), 'local/v1/runtime/status');
    assert.equal(localTopics.powerMode(), 'local/v1/power/mode');
    assert.equal(localTopics.modelOffer(), 'local/v1/models/offer');
    assert.equal(localTopics.all(), 'local/v1/#');
  });

  it('recognises every local topic and filter, and the bare local level', () => {
    const builders = [localTopics.readings, localTopics.alerts, localTopics.runtimeStatus, localTopics.powerMode, localTopics.modelOffer, localTopics.all];
    for (const build of builders) assert.equal(isLocalTopic(build()), true, build());
    for (const topic of ['local', 'local/', 'local/#', 'local/+/alerts', 'local/v2/anything']) assert.equal(isLocalTopic(topic), true, topic);
  });

  it('does not mistake other topics for local ones', () => {
    const others = ['localx', 'locals/v1/readings', 'Local/v1/readings', '/local/v1/readings', 'outpost/v1/d/local/telemetry', deviceTopics.telemetry('local'), ''];
    for (const topic of others) assert.equal(isLocalTopic(topic), false, topic);
  });

  it('never overlaps the device namespace', () => {
    for (const kind of ALL_KINDS) assert.equal(isLocalTopic(deviceTopic('dev-1', kind)), false);
    for (const build of [localTopics.readings, localTopics.alerts, localTopics.runtimeStatus, localTopics.powerMode]) assert.equal(parseDeviceTopic(build()), null);
  });
});
