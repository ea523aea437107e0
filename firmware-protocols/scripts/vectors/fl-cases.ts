import { encodeCbor } from '../../src/index.js';
import { commonInvalidCases } from './common-invalid-cases.js';
import { type Cases, invalidBoth, invalidCbor, validBoth } from './vector-cases.js';

// The federated-learning envelopes on `local/v1/fl/*`. Phase bodies are JSON text inside them; what a body
// must hold is checked by the hub and the trainer per phase, not by the envelope.

const offerBody = JSON.stringify({ profile: 'temperature', inputSize: 12, minSamples: 100, tags: ['site-a'] });
const task = { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'offer', body: offerBody, timeoutMs: 30_000 };
const localFlTaskCases: Cases = {
  valid: [
    ...validBoth('an offer', task),
    ...validBoth('the end of a round with no time to answer', { ...task, phase: 'end', body: JSON.stringify({ outcome: 'stopped', reason: 'operator' }), timeoutMs: 0 }),
    ...validBoth('ids of 128 characters', { ...task, federationId: 'f'.repeat(128), roundId: 'r'.repeat(128) }),
  ],
  invalid: [
    ...commonInvalidCases(task),
    ...invalidBoth('unknown phase', { ...task, phase: 'aggregate' }, 'E_SCHEMA'),
    ...invalidBoth('empty roundId', { ...task, roundId: '' }, 'E_SCHEMA'),
    ...invalidBoth('federationId of 129 characters', { ...task, federationId: 'f'.repeat(129) }, 'E_SCHEMA'),
    ...invalidBoth('body as an object (it is JSON text)', { ...task, body: { profile: 'temperature' } }, 'E_SCHEMA'),
    ...invalidBoth('body missing', { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'offer', timeoutMs: 1000 }, 'E_SCHEMA'),
    ...invalidBoth('negative timeoutMs', { ...task, timeoutMs: -1 }, 'E_SCHEMA'),
    ...invalidBoth('timeoutMs above a day', { ...task, timeoutMs: 86_400_001 }, 'E_SCHEMA'),
    ...invalidBoth('fractional timeoutMs', { ...task, timeoutMs: 1.5 }, 'E_SCHEMA'),
    invalidCbor('CBOR Infinity timeoutMs', encodeCbor({ ...task, timeoutMs: Infinity }), 'E_SCHEMA'),
  ],
};

const reply = { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'offer', body: JSON.stringify({ samples: 480, tags: ['site-a'] }) };
const refusal = { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'train', errorCode: 'E_FL_TRAINING_NOT_ALLOWED', errorMessage: 'power mode saver' };
const localFlReplyCases: Cases = {
  valid: [
    ...validBoth('an answer with a body', reply),
    ...validBoth('a refusal with a code and a message', refusal),
    ...validBoth('a refusal with a code only', { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'train', errorCode: 'E_FL_NO_DATA' }),
    // The envelope does not restrict the code: the hub counts one it does not know as E_FL_FAILED.
    ...validBoth('a refusal with a code from a newer trainer', { ...refusal, errorCode: 'E_FL_SOMETHING_NEW' }),
  ],
  invalid: [
    ...commonInvalidCases(reply),
    ...invalidBoth('both a body and an errorCode', { ...reply, errorCode: 'E_FL_BUSY' }, 'E_SCHEMA'),
    ...invalidBoth('neither a body nor an errorCode', { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'offer' }, 'E_SCHEMA'),
    ...invalidBoth('an errorMessage without an errorCode', { v: 1, federationId: 'fed-1', roundId: 'round-1', phase: 'offer', errorMessage: 'no' }, 'E_SCHEMA'),
    ...invalidBoth('unknown phase', { ...reply, phase: 'aggregate' }, 'E_SCHEMA'),
    ...invalidBoth('errorCode of 65 characters', { ...refusal, errorCode: 'E'.repeat(65) }, 'E_SCHEMA'),
    ...invalidBoth('errorMessage of 513 characters', { ...refusal, errorMessage: 'm'.repeat(513) }, 'E_SCHEMA'),
    ...invalidBoth('body null (leave it out instead)', { ...refusal, body: null }, 'E_SCHEMA'),
  ],
};

const label = { v: 1, alertId: 'a-1', deviceId: 'dev-1', ts: 1700000000000, label: 'anomaly' };
const localFlLabelCases: Cases = {
  valid: [...validBoth('an anomaly', label), ...validBoth('a false alarm', { ...label, label: 'normal' })],
  invalid: [
    ...commonInvalidCases(label, { ts: true }),
    ...invalidBoth('unknown label', { ...label, label: 'maybe' }, 'E_SCHEMA'),
    ...invalidBoth('empty alertId', { ...label, alertId: '' }, 'E_SCHEMA'),
    ...invalidBoth('deviceId of 65 characters', { ...label, deviceId: 'd'.repeat(65) }, 'E_SCHEMA'),
    ...invalidBoth('label missing', { v: 1, alertId: 'a-1', deviceId: 'dev-1', ts: 1 }, 'E_SCHEMA'),
  ],
};

export const flCases = {
  localFlTask: localFlTaskCases,
  localFlReply: localFlReplyCases,
  localFlLabel: localFlLabelCases,
};
