import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HubError } from '../errors.js';
import { parseDuration } from './duration.js';

test('durations: units, plain milliseconds, and a clear refusal', () => {
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('2500'), 2500);
  assert.throws(() => parseDuration('tomorrow'), (err: unknown) => err instanceof HubError && err.code === 'HUB_ERR_BAD_REQUEST' && /"tomorrow" is not a duration/.test(err.message));
});
