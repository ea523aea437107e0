import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loopbackAddresses, resolveLoadOptions } from './load-options.js';

const base = { url: 'mqtt://127.0.0.1:1883', count: 10, durationMs: 1000 };

it('fills in defaults', () => {
  const o = resolveLoadOptions(base);
  assert.equal(o.qos, 1);
  assert.equal(o.encoding, 'json');
  assert.equal(o.inflightWindow, 16);
  assert.equal(o.ratePerDevice, undefined);
  assert.ok(o.workers >= 1 && o.workers <= 2);
});

it('refuses bad values naming the option, the value and what it expects', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ url: 'not a url' }, /url: got "not a url", expected a URL/],
    [{ url: 'http://127.0.0.1' }, /url: .* expected an mqtt:\/\//],
    [{ count: 0 }, /count: got 0, expected an integer >= 1/],
    [{ count: undefined }, /count: .*required without credentials/],
    [{ qos: 2 }, /qos: got 2, expected 0 or 1/],
    [{ ratePerDevice: -1 }, /ratePerDevice: got -1/],
    [{ durationMs: undefined }, /a duration, a message count, or both/],
    [{ credentials: [{ id: 'a/b', secret: 's' }] }, /credentials\[0\]/],
    [{ credentials: [{ id: 'a', secret: 's' }], count: 2 }, /count: got 2, expected at most 1/],
    [{ localAddresses: ['127.0.0.2'], url: 'ws://127.0.0.1:8083' }, /localAddresses/],
  ];
  for (const [change, message] of cases) {
    assert.throws(() => resolveLoadOptions({ ...base, ...change } as never), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SIM_ERR_BAD_OPTION');
      assert.match(err.message, message);
      return true;
    });
  }
});

it('makes loopback source addresses', () => {
  assert.deepEqual(loopbackAddresses(3), ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
  assert.throws(() => loopbackAddresses(300), /sourceAddresses/);
});
