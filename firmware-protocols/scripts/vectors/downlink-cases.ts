import { WIRE_ERRORS, WIRE_ERROR_CODES } from '../../src/index.js';
import { commonInvalidCases, nonJsonInProps } from './common-invalid-cases.js';
import { type Cases, cborText, invalidBoth, jsonRichProps, validBoth } from './vector-cases.js';

const config = { v: 1, configVersion: 3 };
const adaptive = { intervalMs: 60_000, mode: 'adaptive', predictor: 'last-value', tolerance: { temperature: 0.25, humidity: 1 }, maxSilenceMs: 3_600_000 };
const deviceConfigCases: Cases = {
  valid: [
    ...validBoth('minimal', config),
    ...validBoth('reporting; mode defaults to periodic', { ...config, reporting: { intervalMs: 1000 } }, { ...config, reporting: { intervalMs: 1000, mode: 'periodic' } }),
    ...validBoth('adaptive reporting with props', { v: 1, configVersion: 0, reporting: { intervalMs: 100, mode: 'adaptive' }, props: jsonRichProps }),
    ...validBoth('longest reporting interval', { ...config, reporting: { intervalMs: 86_400_000, mode: 'periodic' } }),
    ...validBoth('adaptive reporting, every field', { ...config, reporting: { ...adaptive, predictor: 'lms', lmsOrder: 4, lmsStep: 0.5 } }),
    ...validBoth('adaptive reporting, last-value with a heartbeat', { ...config, reporting: adaptive }),
    ...validBoth('adaptive reporting, linear, zero tolerance, heartbeat equal to the interval', { ...config, reporting: { intervalMs: 1000, mode: 'adaptive', predictor: 'linear', tolerance: { counter: 0 }, maxSilenceMs: 1000 } }),
  ],
  invalid: [
    ...commonInvalidCases(config),
    ...invalidBoth('reporting interval below 100 ms', { ...config, reporting: { intervalMs: 99 } }, 'E_SCHEMA'),
    ...invalidBoth('reporting interval above one day', { ...config, reporting: { intervalMs: 86_400_001 } }, 'E_SCHEMA'),
    ...invalidBoth('fractional reporting interval', { ...config, reporting: { intervalMs: 1000.5 } }, 'E_SCHEMA'),
    ...invalidBoth('reporting without interval', { ...config, reporting: { mode: 'periodic' } }, 'E_SCHEMA'),
    ...invalidBoth('unknown reporting mode', { ...config, reporting: { intervalMs: 1000, mode: 'burst' } }, 'E_SCHEMA'),
    ...invalidBoth('reporting with an unknown field', { ...config, reporting: { intervalMs: 1000, jitterMs: 5 } }, 'E_SCHEMA'),
    ...invalidBoth('unknown predictor', { ...config, reporting: { ...adaptive, predictor: 'kalman' } }, 'E_SCHEMA'),
    ...invalidBoth('predictor with periodic mode', { ...config, reporting: { intervalMs: 1000, mode: 'periodic', predictor: 'linear' } }, 'E_SCHEMA'),
    ...invalidBoth('tolerance with the default (periodic) mode', { ...config, reporting: { intervalMs: 1000, tolerance: { temp: 0.5 } } }, 'E_SCHEMA'),
    ...invalidBoth('negative tolerance', { ...config, reporting: { ...adaptive, tolerance: { temperature: -0.1 } } }, 'E_SCHEMA'),
    ...invalidBoth('tolerance for a metric name starting with a digit', { ...config, reporting: { ...adaptive, tolerance: { '1temp': 0.1 } } }, 'E_SCHEMA'),
    ...invalidBoth('tolerance for 65 metrics', { ...config, reporting: { ...adaptive, tolerance: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, 1])) } }, 'E_SCHEMA'),
    ...invalidBoth('maxSilenceMs shorter than intervalMs', { ...config, reporting: { ...adaptive, maxSilenceMs: 59_999 } }, 'E_SCHEMA'),
    ...invalidBoth('maxSilenceMs above 3600 × intervalMs', { ...config, reporting: { ...adaptive, intervalMs: 1000, maxSilenceMs: 3_600_001 } }, 'E_SCHEMA'),
    ...invalidBoth('maxSilenceMs above one week', { ...config, reporting: { ...adaptive, maxSilenceMs: 604_800_001 } }, 'E_SCHEMA'),
    ...invalidBoth('lmsOrder with predictor linear', { ...config, reporting: { ...adaptive, predictor: 'linear', lmsOrder: 4 } }, 'E_SCHEMA'),
    ...invalidBoth('lmsOrder 17', { ...config, reporting: { ...adaptive, predictor: 'lms', lmsOrder: 17 } }, 'E_SCHEMA'),
    ...invalidBoth('lmsStep 2', { ...config, reporting: { ...adaptive, predictor: 'lms', lmsStep: 2 } }, 'E_SCHEMA'),
    ...invalidBoth('lmsStep 0', { ...config, reporting: { ...adaptive, predictor: 'lms', lmsStep: 0 } }, 'E_SCHEMA'),
    ...invalidBoth('negative configVersion', { v: 1, configVersion: -1 }, 'E_SCHEMA'),
    ...invalidBoth('configVersion missing', { v: 1 }, 'E_SCHEMA'),
    ...nonJsonInProps('props', `a3 ${cborText('v')} 01 ${cborText('configVersion')} 03 ${cborText('props')}`),
  ],
};

const command = { v: 1, commandId: 'cmd-1', name: 'reboot', issuedAt: 1700000000000 };
const commandCases: Cases = {
  valid: [
    ...validBoth('minimal', command),
    ...validBoth('with args and expiry', { ...command, name: 'valve.set', args: { position: 0.25, reason: 'schedule' }, expiresAt: 1700000060000 }),
  ],
  invalid: [
    ...commonInvalidCases(command),
    ...invalidBoth('name with a space', { ...command, name: 're boot' }, 'E_SCHEMA'),
    ...invalidBoth('name starting with a digit', { ...command, name: '9lives' }, 'E_SCHEMA'),
    ...invalidBoth('empty commandId', { ...command, commandId: '' }, 'E_SCHEMA'),
    ...invalidBoth('issuedAt missing', { v: 1, commandId: 'cmd-1', name: 'reboot' }, 'E_SCHEMA'),
    ...invalidBoth('negative issuedAt', { ...command, issuedAt: -5 }, 'E_SCHEMA'),
    ...invalidBoth('fractional expiresAt', { ...command, expiresAt: 1.5 }, 'E_SCHEMA'),
    ...invalidBoth('args as an array', { ...command, args: ['a'] }, 'E_SCHEMA'),
    ...nonJsonInProps('args', `a5 ${cborText('v')} 01 ${cborText('commandId')} ${cborText('c')} ${cborText('name')} ${cborText('n')} ${cborText('issuedAt')} 00 ${cborText('args')}`),
  ],
};

const deviceError = { v: 1, code: 'E_SCHEMA', num: 1004, message: 'metrics.temp: expected number', ts: 1700000000000 };
const deviceErrorCases: Cases = {
  valid: [
    ...validBoth('minimal', deviceError),
    ...validBoth('with topic and seq', { ...deviceError, topic: 'outpost/v1/d/dev-1/telemetry', seq: 4294967295 }),
    // One per code, so a firmware table of codes and numbers can be checked against the catalogue.
    ...WIRE_ERROR_CODES.flatMap((code) => validBoth(`code ${code}`, { v: 1, code, num: WIRE_ERRORS[code].num, message: WIRE_ERRORS[code].text, ts: 1 })),
  ],
  invalid: [
    ...commonInvalidCases(deviceError, { ts: true, seq: true }),
    ...invalidBoth('unknown code', { ...deviceError, code: 'E_NOPE' }, 'E_SCHEMA'),
    ...invalidBoth('code in lower case', { ...deviceError, code: 'e_schema' }, 'E_SCHEMA'),
    ...invalidBoth('fractional num', { ...deviceError, num: 1004.5 }, 'E_SCHEMA'),
    ...invalidBoth('message of 513 characters', { ...deviceError, message: 'm'.repeat(513) }, 'E_SCHEMA'),
    ...invalidBoth('topic of 257 characters', { ...deviceError, topic: 't'.repeat(257) }, 'E_SCHEMA'),
    ...invalidBoth('ts missing', { v: 1, code: 'E_SCHEMA', num: 1004, message: 'm' }, 'E_SCHEMA'),
  ],
};

export const downlinkCases = { deviceConfig: deviceConfigCases, command: commandCases, deviceError: deviceErrorCases };
