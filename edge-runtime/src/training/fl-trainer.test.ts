import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { decodeVector, initialParameters, encodeVector, parameterCount } from '@outpost/models/federated';
import { type LocalFlReply, type LocalFlTask, flPhaseReplySchemas } from '@outpost/protocols';
import { pino } from 'pino';
import { createFlTrainer } from './fl-trainer.js';
import { TrainWorkerClient } from './train-worker-client.js';
import { WindowReservoir } from './window-reservoir.js';

const shape = { inputSize: 8, hidden: [4], activations: ['tanh' as const] };
const worker = new TrainWorkerClient();
after(() => worker.close());

function setup(allowed: { value: boolean }) {
  const reservoir = new WindowReservoir(64, 2);
  const replies: LocalFlReply[] = [];
  const trainer = createFlTrainer({ reservoir, worker, trainingAllowed: () => allowed.value, tags: ['site-a'], reply: (r) => replies.push(r), log: pino({ level: 'silent' }) });
  return { reservoir, replies, trainer };
}

const task = (phase: LocalFlTask['phase'], body: unknown): LocalFlTask => ({ v: 1, federationId: 'fed-1', roundId: 'fed-1:1', phase, body: JSON.stringify(body), timeoutMs: 10_000 });
const offer = task('offer', { profile: 'temperature', inputSize: 8, minSamples: 1, tags: [] });
const train = (dp: { clipNorm: number; noiseMultiplier: number } | null) =>
  task('train', { profile: 'temperature', shape, global: encodeVector(initialParameters(shape, 1)), training: { epochs: 1, batchSize: 8, learningRate: 0.01, proxMu: 0, seed: 1 }, dp });

test('offers its fresh window count and tags; refuses with a code when the power mode does not allow training', async () => {
  const allowed = { value: false };
  const { reservoir, replies, trainer } = setup(allowed);
  for (let i = 0; i < 20; i++) reservoir.add('temperature', 'd', i, Float32Array.from({ length: 8 }, (_, j) => Math.sin(i + j)), false);
  await trainer.handle(offer);
  assert.equal(replies[0]!.errorCode, 'E_FL_TRAINING_NOT_ALLOWED');
  await trainer.handle(train(null));
  assert.equal(replies[1]!.errorCode, 'E_FL_TRAINING_NOT_ALLOWED', 'asked again before training');
  allowed.value = true;
  await trainer.handle(offer);
  assert.deepEqual(flPhaseReplySchemas.offer.parse(JSON.parse(replies[2]!.body!)), { samples: 20, tags: ['site-a'] });
});

test('trains in the worker and returns a clipped update of the right length; no data and bad tasks get codes', async () => {
  const { reservoir, replies, trainer } = setup({ value: true });
  await trainer.handle(train(null));
  assert.equal(replies[0]!.errorCode, 'E_FL_NO_DATA');
  for (let i = 0; i < 24; i++) reservoir.add('temperature', 'd', i, Float32Array.from({ length: 8 }, (_, j) => Math.cos(i + j)), false);
  await trainer.handle(train({ clipNorm: 0.01, noiseMultiplier: 0 }));
  const body = flPhaseReplySchemas.train.parse(JSON.parse(replies[1]!.body!));
  const delta = decodeVector(body.delta, parameterCount(shape));
  const norm = Math.sqrt(delta.reduce((a, x) => a + x * x, 0));
  assert.ok(norm > 0 && norm <= 0.01 + 1e-6, `clipped to the norm asked (${norm})`);
  assert.equal(body.samples, 24);
  assert.equal(reservoir.fresh('temperature', 8), 0, 'training resets the fresh count');
  await trainer.handle({ ...offer, body: '{"profile": 3}' });
  assert.equal(replies[2]!.errorCode, 'E_FL_BAD_TASK');
  await trainer.handle(task('unmask', { survivors: [], dropped: [] }));
  assert.equal(replies[3]!.errorCode, 'E_FL_BAD_TASK', 'no secure-aggregation state for that round');
});
