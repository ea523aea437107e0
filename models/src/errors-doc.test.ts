import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MODEL_ERRORS } from './errors.js';

test('every MODEL_ERR code is in docs/error-codes.md with its retry flag', () => {
  const doc = readFileSync(new URL('../../docs/error-codes.md', import.meta.url), 'utf8');
  for (const [code, { retryable }] of Object.entries(MODEL_ERRORS)) assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${retryable ? 'yes' : 'no'} \\|`), `${code} is documented`);
});
