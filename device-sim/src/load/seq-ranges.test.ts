import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addSeq, countSeqs, intersectRanges, type SeqRanges } from './seq-ranges.js';

it('keeps acked seqs as merged ranges, in or out of order', () => {
  const r: SeqRanges = [];
  for (const s of [0, 1, 2, 5, 4, 3, 9, 7, 8, 12, 2]) addSeq(r, s);
  assert.deepEqual(r, [[0, 5], [7, 9], [12, 12]]);
  assert.equal(countSeqs(r), 10);
  addSeq(r, 11);
  addSeq(r, 6);
  assert.deepEqual(r, [[0, 9], [11, 12]]);
});

it('intersects range lists', () => {
  assert.deepEqual(intersectRanges([[0, 10], [20, 30]], [[5, 22], [29, 40]]), [[5, 10], [20, 22], [29, 30]]);
  assert.deepEqual(intersectRanges([[0, 3]], []), []);
});

it('subtracts range lists', async () => {
  const { subtractRanges } = await import('./seq-ranges.js');
  assert.deepEqual(subtractRanges([[0, 10], [20, 30]], [[3, 4], [8, 22], [30, 31]]), [[0, 2], [5, 7], [23, 29]]);
  assert.deepEqual(subtractRanges([[0, 5]], []), [[0, 5]]);
  assert.deepEqual(subtractRanges([[0, 5]], [[0, 5]]), []);
});
