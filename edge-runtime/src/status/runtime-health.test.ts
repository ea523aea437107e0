import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuntimeHealth } from './runtime-health.js';

test('starting → ready → degraded → ready → stopping, with models and details; changes are reported once', () => {
  let changes = 0;
  const health = new RuntimeHealth(() => changes++);
  assert.equal(health.state, 'starting');
  health.setModels(['ae-b@1.0.0', 'ae-a@2.0.0']);
  health.started();
  assert.equal(health.state, 'ready');
  assert.equal(health.modelVersion, 'ae-a@2.0.0,ae-b@1.0.0');
  health.set('model-refused', { degraded: false, detail: 'offer o1 refused: RT_ERR_MODEL_SHA256: x' });
  assert.equal(health.state, 'ready', 'informational conditions do not degrade');
  health.set('broker', { degraded: true, detail: 'RT_ERR_MQTT: down' });
  assert.equal(health.state, 'degraded');
  assert.match(health.detail!, /^RT_ERR_MQTT: down; offer o1 refused/);
  const before = changes;
  health.set('broker', { degraded: true, detail: 'RT_ERR_MQTT: down' });
  assert.equal(changes, before, 'the same status is not reported again');
  health.clear('broker');
  assert.equal(health.state, 'ready');
  health.set('long', { degraded: false, detail: 'x'.repeat(1000) });
  assert.equal(health.detail!.length, 512);
  health.stopping();
  assert.equal(health.state, 'stopping');
});

test('a running runtime without models says so', () => {
  const health = new RuntimeHealth();
  health.started();
  assert.equal(health.modelVersion, undefined);
  assert.equal(health.detail, 'no model loaded: online detector and rules only');
});
