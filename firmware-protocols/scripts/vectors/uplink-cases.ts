import { commonInvalidCases, nonJsonInProps } from './common-invalid-cases.js';
import { type Cases, cborText, fromHex, invalidBoth, jsonRichProps, validBoth, validCbor } from './vector-cases.js';

const event = { v: 1, type: 'door.open' };
const eventCases: Cases = {
  valid: [
    ...validBoth('minimal; severity defaults to info', event, { ...event, severity: 'info' }),
    ...validBoth('all fields', { v: 1, ts: 1700000000000, seq: 7, type: 'fault', severity: 'critical', data: jsonRichProps }),
    ...validBoth('warning with empty data', { v: 1, type: 'reboot', severity: 'warning', data: {} }),
    ...validBoth('data key of 64 characters', { v: 1, type: 'x', severity: 'info', data: { ['k'.repeat(64)]: 1 } }),
    validCbor('hand-written indefinite-length array inside data', fromHex(`a3 ${cborText('v')} 01 ${cborText('type')} ${cborText('t')} ${cborText('data')} a1 ${cborText('a')} 9f 01 f5 f6 ff`), {
      v: 1,
      type: 't',
      severity: 'info',
      data: { a: [1, true, null] },
    }),
  ],
  invalid: [
    ...commonInvalidCases(event, { ts: true, seq: true }),
    ...invalidBoth('type starting with a digit', { v: 1, type: '1door' }, 'E_SCHEMA'),
    ...invalidBoth('type missing', { v: 1, severity: 'info' }, 'E_SCHEMA'),
    ...invalidBoth('unknown severity', { ...event, severity: 'fatal' }, 'E_SCHEMA'),
    ...invalidBoth('severity null', { ...event, severity: null }, 'E_SCHEMA'),
    ...invalidBoth('data as an array', { ...event, data: [1, 2] }, 'E_SCHEMA'),
    ...invalidBoth('data as a string', { ...event, data: 'x' }, 'E_SCHEMA'),
    ...invalidBoth('data key of 65 characters', { ...event, data: { ['k'.repeat(65)]: 1 } }, 'E_SCHEMA'),
    ...nonJsonInProps('data', `a3 ${cborText('v')} 01 ${cborText('type')} ${cborText('t')} ${cborText('data')}`),
  ],
};

const state = { v: 1 };
const stateCases: Cases = {
  valid: [
    ...validBoth('minimal; reported defaults to {}', state, { v: 1, reported: {} }),
    ...validBoth('all fields', {
      v: 1,
      ts: 1700000000000,
      seq: 9,
      battery: { percent: 87.5, volts: 3.7, charging: false },
      firmware: '2.4.1+build.7',
      reported: jsonRichProps,
    }),
    ...validBoth('battery at 0 and 100 percent bounds', { v: 1, battery: { percent: 0 }, reported: {} }),
    ...validBoth('battery full', { v: 1, battery: { percent: 100, charging: true }, reported: {} }),
  ],
  invalid: [
    ...commonInvalidCases(state, { ts: true, seq: true }),
    ...invalidBoth('battery percent above 100', { v: 1, battery: { percent: 100.5 } }, 'E_SCHEMA'),
    ...invalidBoth('negative battery percent', { v: 1, battery: { percent: -1 } }, 'E_SCHEMA'),
    ...invalidBoth('battery without percent', { v: 1, battery: { volts: 3.7 } }, 'E_SCHEMA'),
    ...invalidBoth('battery with an unknown field', { v: 1, battery: { percent: 50, temp: 30 } }, 'E_SCHEMA'),
    ...invalidBoth('negative battery volts', { v: 1, battery: { percent: 50, volts: -0.1 } }, 'E_SCHEMA'),
    ...invalidBoth('battery charging as 1', { v: 1, battery: { percent: 50, charging: 1 } }, 'E_SCHEMA'),
    ...invalidBoth('firmware of 65 characters', { v: 1, firmware: 'f'.repeat(65) }, 'E_SCHEMA'),
    ...invalidBoth('reported null', { v: 1, reported: null }, 'E_SCHEMA'),
    ...invalidBoth('reported as an array', { v: 1, reported: [1] }, 'E_SCHEMA'),
    ...nonJsonInProps('reported', `a2 ${cborText('v')} 01 ${cborText('reported')}`),
  ],
};

const ok = { v: 1, commandId: 'cmd-1', status: 'ok' };
const commandResultCases: Cases = {
  valid: [
    ...validBoth('minimal ok', ok),
    ...validBoth('ok with a result', { ...ok, ts: 1700000000000, result: jsonRichProps }),
    ...validBoth('error with details', { v: 1, commandId: 'c'.repeat(64), status: 'error', error: { code: 'E_BUSY', message: 'valve is moving' } }),
    ...validBoth('rejected', { v: 1, commandId: 'x', status: 'rejected' }),
  ],
  invalid: [
    ...commonInvalidCases(ok, { ts: true }),
    ...invalidBoth('seq is not a commandResult field', { ...ok, seq: 1 }, 'E_SCHEMA'),
    ...invalidBoth('empty commandId', { ...ok, commandId: '' }, 'E_SCHEMA'),
    ...invalidBoth('commandId of 65 characters', { ...ok, commandId: 'c'.repeat(65) }, 'E_SCHEMA'),
    ...invalidBoth('commandId missing', { v: 1, status: 'ok' }, 'E_SCHEMA'),
    ...invalidBoth('status missing', { v: 1, commandId: 'cmd-1' }, 'E_SCHEMA'),
    ...invalidBoth('unknown status', { ...ok, status: 'done' }, 'E_SCHEMA'),
    ...invalidBoth('error without message', { ...ok, status: 'error', error: { code: 'E_BUSY' } }, 'E_SCHEMA'),
    ...invalidBoth('error message of 513 characters', { ...ok, status: 'error', error: { code: 'E', message: 'm'.repeat(513) } }, 'E_SCHEMA'),
    ...invalidBoth('error with an unknown field', { ...ok, status: 'error', error: { code: 'E', message: 'm', retry: true } }, 'E_SCHEMA'),
    ...invalidBoth('result as an array', { ...ok, result: [] }, 'E_SCHEMA'),
    ...nonJsonInProps('result', `a4 ${cborText('v')} 01 ${cborText('commandId')} ${cborText('c')} ${cborText('status')} ${cborText('ok')} ${cborText('result')}`),
  ],
};

export const uplinkCases = { event: eventCases, state: stateCases, commandResult: commandResultCases };
