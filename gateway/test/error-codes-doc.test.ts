import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WIRE_ERRORS } from '@outpost/protocols';
import { GATEWAY_ERRORS } from '../src/errors.js';

test('docs/error-codes.md explains every wire and gateway error code', () => {
  const doc = readFileSync(new URL('../../docs/error-codes.md', import.meta.url), 'utf8');
  for (const [code, { num }] of Object.entries(WIRE_ERRORS)) assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${num} \\|`), `${code} (${num}) is documented`);
  for (const code of Object.keys(GATEWAY_ERRORS)) assert.ok(doc.includes(`\`${code}\``), `${code} is documented`);
});
