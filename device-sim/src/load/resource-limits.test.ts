import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkFdLimit, checkPortRange, readFdLimits, readLocalPortCount } from './resource-limits.js';

it('reads the open-files line of /proc/self/limits', () => {
  const text = 'Max processes             63704                63704                processes\nMax open files            1024                 524288               files\n';
  assert.deepEqual(readFdLimits(text), { soft: 1024, hard: 524288 });
  assert.deepEqual(readFdLimits('Max open files            unlimited            unlimited            files'), { soft: Infinity, hard: Infinity });
  assert.equal(readFdLimits('nothing here'), null);
});

it('names the limit, the need and the command when descriptors are short', () => {
  assert.doesNotThrow(() => checkFdLimit(800, { soft: 1024, hard: 1024 }));
  assert.throws(() => checkFdLimit(5_000, { soft: 1024, hard: 4096 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SIM_ERR_FD_LIMIT');
    assert.match(err.message, /5000 connections need about 5128 file descriptors, but this process may open only 4096/);
    assert.match(err.message, /ulimit -n 5128/);
    assert.match(err.message, /hard limit is 4096/);
    return true;
  });
  assert.doesNotThrow(() => checkFdLimit(10_000_000, null), 'no check where limits cannot be read');
});

it('asks for more source addresses when one port range cannot hold the connections', () => {
  assert.equal(readLocalPortCount('32768\t60999'), 28232);
  assert.doesNotThrow(() => checkPortRange(28_000, 1, 28_232));
  assert.doesNotThrow(() => checkPortRange(100_000, 4, 28_232));
  assert.throws(() => checkPortRange(100_000, 1, 28_232), /--source-addresses 4/);
});
