import { encodeCbor } from '../../src/index.js';
import { commonInvalidCases } from './common-invalid-cases.js';
import { type Cases, invalidBoth, invalidCbor, validBoth } from './vector-cases.js';

const reading = { id: 1, deviceId: 'dev-1', ts: 1700000000000, receivedAt: 1700000000123, metrics: { temp: 21.5 } };
const batch = { v: 1, readings: [reading] };
const withReading = (patch: Record<string, unknown>) => ({ v: 1, readings: [{ ...reading, ...patch }] });
const badDeviceIds: [string, string][] = [
  ['with a slash', 'dev/1'],
  ['that is the + wildcard', '+'],
  ['that is the # wildcard', '#'],
  ['that is empty', ''],
  ['of 65 characters', 'd'.repeat(65)],
  ['starting with a dash', '-dev'],
];

const localReadingsBatchCases: Cases = {
  valid: [
    ...validBoth('one reading', batch),
    ...validBoth('three readings from two devices', {
      v: 1,
      readings: [reading, { ...reading, id: 2, metrics: { temp: 21.75, hum: 40 } }, { ...reading, id: 3, deviceId: `D${'9'.repeat(63)}` }],
    }),
    ...validBoth('a predicted reading beside a real one', { v: 1, readings: [{ ...reading, id: 4, ts: 1699999940000, predicted: true }, { ...reading, id: 5 }] }),
  ],
  invalid: [
    ...commonInvalidCases(batch),
    ...invalidBoth('no readings', { v: 1, readings: [] }, 'E_SCHEMA'),
    ...invalidBoth('readings as an object', { v: 1, readings: { 0: reading } }, 'E_SCHEMA'),
    ...invalidBoth('reading id 0', withReading({ id: 0 }), 'E_SCHEMA'),
    ...invalidBoth('fractional reading id', withReading({ id: 1.5 }), 'E_SCHEMA'),
    ...invalidBoth('reading without receivedAt', { v: 1, readings: [{ id: 1, deviceId: 'dev-1', ts: 1, metrics: { t: 1 } }] }, 'E_SCHEMA'),
    ...invalidBoth('reading with an unknown field', withReading({ extra: 1 }), 'E_SCHEMA'),
    ...invalidBoth('reading with empty metrics', withReading({ metrics: {} }), 'E_SCHEMA'),
    ...invalidBoth('predicted: false (leave it out instead)', withReading({ predicted: false }), 'E_SCHEMA'),
    ...invalidBoth('predicted as a string', withReading({ predicted: 'yes' }), 'E_SCHEMA'),
    ...badDeviceIds.flatMap(([label, deviceId]) => invalidBoth(`deviceId ${label}`, withReading({ deviceId }), 'E_SCHEMA')),
  ],
};

const alert = { v: 1, alertId: 'a-1', deviceId: 'dev-1', ts: 1700000000000, source: 'model', kind: 'anomaly', severity: 'warning', score: 0.97, threshold: 0.9 };
const { score: _score, ...alertWithoutScore } = alert;
const explanation = (count: number) => Array.from({ length: count }, (_, i) => ({ feature: `f${i}`, contribution: (count - i) / 100 }));
const localAlertCases: Cases = {
  valid: [
    ...validBoth('minimal', alert),
    ...validBoth('all fields with 16 explanation entries', { ...alert, source: 'rule', metric: 'temp', modelVersion: 'iforest-2024.06.1', explanation: explanation(16) }),
    ...validBoth('low confidence, for review', { ...alert, review: true }),
  ],
  invalid: [
    ...commonInvalidCases(alert, { ts: true }),
    ...invalidBoth('unknown source', { ...alert, source: 'oracle' }, 'E_SCHEMA'),
    ...invalidBoth('unknown severity', { ...alert, severity: 'debug' }, 'E_SCHEMA'),
    ...invalidBoth('metric starting with a digit', { ...alert, metric: '2temp' }, 'E_SCHEMA'),
    ...invalidBoth('empty alertId', { ...alert, alertId: '' }, 'E_SCHEMA'),
    ...invalidBoth('deviceId that is the + wildcard', { ...alert, deviceId: '+' }, 'E_SCHEMA'),
    ...invalidBoth('17 explanation entries', { ...alert, explanation: explanation(17) }, 'E_SCHEMA'),
    ...invalidBoth('explanation entry with an unknown field', { ...alert, explanation: [{ feature: 'f', contribution: 1, sign: '+' }] }, 'E_SCHEMA'),
    ...invalidBoth('score missing', alertWithoutScore, 'E_SCHEMA'),
    ...invalidBoth('review as a string', { ...alert, review: 'yes' }, 'E_SCHEMA'),
    invalidCbor('CBOR NaN score', encodeCbor({ ...alert, score: NaN }), 'E_SCHEMA'),
    invalidCbor('CBOR Infinity threshold', encodeCbor({ ...alert, threshold: Infinity }), 'E_SCHEMA'),
  ],
};

const status = { v: 1, ts: 1700000000000, state: 'ready' };
const localRuntimeStatusCases: Cases = {
  valid: [
    ...validBoth('minimal', status),
    ...validBoth('degraded with model and detail', { ...status, state: 'degraded', modelVersion: 'iforest-2024.06.1', detail: 'inference worker restarted' }),
  ],
  invalid: [
    ...commonInvalidCases(status, { ts: true }),
    ...invalidBoth('unknown state', { ...status, state: 'crashed' }, 'E_SCHEMA'),
    ...invalidBoth('detail of 513 characters', { ...status, detail: 'd'.repeat(513) }, 'E_SCHEMA'),
    ...invalidBoth('ts missing', { v: 1, state: 'ready' }, 'E_SCHEMA'),
  ],
};

const power = { v: 1, ts: 1700000000000, mode: 'saver', simulated: false };
const localPowerModeCases: Cases = {
  valid: [
    ...(['performance', 'balanced', 'saver', 'critical'] as const).flatMap((mode) => validBoth(`mode ${mode}`, { ...power, mode, simulated: mode === 'critical' })),
    ...validBoth('with the sample behind it', {
      ...power,
      simulated: true,
      source: 'battery',
      batteryPercent: 28.5,
      charging: false,
      cpuTempC: 61.25,
      reason: 'on battery at 28.5 % (below 30 %)',
      sinceMs: 1699999990000,
    }),
    ...validBoth('on mains without a battery or a sensor', { ...power, mode: 'performance', source: 'ac', reason: 'on mains' }),
  ],
  invalid: [
    ...commonInvalidCases(power, { ts: true }),
    ...invalidBoth('unknown mode', { ...power, mode: 'turbo' }, 'E_SCHEMA'),
    ...invalidBoth('simulated missing', { v: 1, ts: 1, mode: 'saver' }, 'E_SCHEMA'),
    ...invalidBoth('simulated as a string', { ...power, simulated: 'yes' }, 'E_SCHEMA'),
    ...invalidBoth('unknown source', { ...power, source: 'solar' }, 'E_SCHEMA'),
    ...invalidBoth('batteryPercent above 100', { ...power, batteryPercent: 100.5 }, 'E_SCHEMA'),
    ...invalidBoth('batteryPercent below 0', { ...power, batteryPercent: -1 }, 'E_SCHEMA'),
    ...invalidBoth('batteryPercent null (leave it out instead)', { ...power, batteryPercent: null }, 'E_SCHEMA'),
    ...invalidBoth('charging as a string', { ...power, charging: 'no' }, 'E_SCHEMA'),
    ...invalidBoth('reason of 257 characters', { ...power, reason: 'r'.repeat(257) }, 'E_SCHEMA'),
    ...invalidBoth('fractional sinceMs', { ...power, sinceMs: 1.5 }, 'E_SCHEMA'),
  ],
};

const offer = { v: 1, offerId: 'offer-1', manifestPath: '/var/lib/outpost/models/ae-temperature-1.0.0-0123456789ab.json', sha256: '0'.repeat(64) };
const localModelOfferCases: Cases = {
  valid: validBoth('a manifest on disk', offer),
  invalid: [
    ...commonInvalidCases(offer),
    ...invalidBoth('sha256 in upper case', { ...offer, sha256: 'A'.repeat(64) }, 'E_SCHEMA'),
    ...invalidBoth('sha256 of 63 digits', { ...offer, sha256: '0'.repeat(63) }, 'E_SCHEMA'),
    ...invalidBoth('empty manifestPath', { ...offer, manifestPath: '' }, 'E_SCHEMA'),
    ...invalidBoth('manifestPath missing', { v: 1, offerId: 'o', sha256: '0'.repeat(64) }, 'E_SCHEMA'),
  ],
};

export const localCases = {
  localReadingsBatch: localReadingsBatchCases,
  localAlert: localAlertCases,
  localRuntimeStatus: localRuntimeStatusCases,
  localPowerMode: localPowerModeCases,
  localModelOffer: localModelOfferCases,
};
