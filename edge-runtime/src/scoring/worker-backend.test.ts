import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Prng } from '@outpost/models/signals';
import { forward, writeTestModel } from '../../test/helpers/test-models.js';
import { WorkerScoringBackend } from './worker-backend.js';

const dir = await mkdtemp(join(tmpdir(), 'outpost-rt-worker-'));
const backend = new WorkerScoringBackend({ intraOpThreads: 1 });
after(async () => {
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

const io = { input: 'input', score: 'score', featureError: 'feature_error' };

test('the worker scores a batch exactly as a TypeScript forward pass of the same weights', async () => {
  const model = await writeTestModel(dir, { metrics: ['temperature', 'humidity'], window: 5, channels: ['z', 'dz', 'ldz'], hidden: 7, seed: 'worker-parity' });
  const inputSize = model.fields.inputSize;
  const info = await backend.load('m1', await readFile(model.onnxPath), io);
  assert.deepEqual(info.inputs.map((i) => [i.name, i.type, i.shape[1]]), [['input', 'float32', inputSize]]);
  assert.deepEqual(info.outputs.map((o) => o.name).sort(), ['feature_error', 'score']);

  const rng = new Prng('worker-input');
  for (const rows of [1, 3, 64]) {
    const input = Float32Array.from({ length: rows * inputSize }, () => 2 * rng.normal());
    const copy = input.slice();
    const out = await backend.run('m1', input, rows, inputSize);
    assert.equal(input.byteLength, 0, 'the input buffer was transferred to the worker');
    assert.equal(out.score.length, rows);
    assert.equal(out.featureError.length, rows * inputSize);
    for (let r = 0; r < rows; r++) {
      const ref = forward(model.layers, copy.subarray(r * inputSize, (r + 1) * inputSize));
      assert.ok(Math.abs(out.score[r]! - ref.score) <= 1e-5 * Math.max(1, ref.score), `row ${r}: score ${out.score[r]} vs ${ref.score}`);
      ref.featureError.forEach((e, i) => assert.ok(Math.abs(out.featureError[r * inputSize + i]! - e) <= 1e-5 * Math.max(1, e), `row ${r} feature ${i}`));
    }
  }
});

test('a run with the wrong input width fails with an error and the worker keeps serving', async () => {
  const model = await writeTestModel(dir, { window: 3, seed: 'worker-bad' });
  await backend.load('m2', await readFile(model.onnxPath), io);
  await assert.rejects(backend.run('m2', new Float32Array(5), 1, 5), /input|dimension|shape/i);
  const out = await backend.run('m2', new Float32Array(model.fields.inputSize), 1, model.fields.inputSize);
  assert.equal(out.score.length, 1);
  await backend.unload('m2');
  await assert.rejects(backend.run('m2', new Float32Array(model.fields.inputSize), 1, model.fields.inputSize), /no session m2/);
});

test('bytes that are not an ONNX model are refused at load', async () => {
  await assert.rejects(backend.load('junk', new Uint8Array([1, 2, 3, 4]), io));
});

test('when the worker dies, pending runs fail with RT_ERR_WORKER and a new worker serves the same sessions', async () => {
  const restarts: Error[] = [];
  const own = new WorkerScoringBackend({ intraOpThreads: 1 }, (err) => restarts.push(err));
  try {
    const model = await writeTestModel(dir, { window: 3, seed: 'worker-restart' });
    const inputSize = model.fields.inputSize;
    await own.load('m', await readFile(model.onnxPath), io);
    const pending = own.run('m', new Float32Array(inputSize), 1, inputSize);
    await own['worker'].terminate(); // what an onnxruntime crash looks like from here
    await assert.rejects(pending, (err: Error & { code?: string }) => err.code === 'RT_ERR_WORKER');
    assert.equal(restarts.length, 1);
    const out = await own.run('m', new Float32Array(inputSize), 1, inputSize);
    assert.equal(out.score.length, 1);
  } finally {
    await own.close();
  }
});
