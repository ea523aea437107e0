import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { murmur2, partitionFor } from './partition-for.js';

describe('partitionFor', () => {
  it('murmur2 gives the values of Kafka\'s Java client', () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of vectors) assert.equal(murmur2(Buffer.from(key)), expected, key);
  });

  it('is stable, in range, and spreads gateways over partitions', () => {
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 1200; i++) {
      const p = partitionFor(`gw-${i}`, 12);
      assert.ok(Number.isInteger(p) && p >= 0 && p < 12);
      assert.equal(partitionFor(`gw-${i}`, 12), p);
      counts[p]!++;
    }
    assert.ok(Math.min(...counts) > 50, `every partition gets gateways: ${counts.join(',')}`);
  });
});
