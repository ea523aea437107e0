import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createProcessLogger, flushLogs } from './process-logger.js';

test('redacts each secret key at the top level and one level down, names the process, flushes', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const log = createProcessLogger('outpost-test', 'info', ['token', 'password'], sink);
  log.info({ token: 't0ps3cret', user: { password: 'hunter2', name: 'ann' } }, 'hello');
  await flushLogs(log);
  const line = JSON.parse(lines.join('')) as Record<string, unknown>;
  assert.equal(line.name, 'outpost-test');
  assert.equal(line.pid, process.pid);
  assert.equal(line.token, '[redacted]');
  assert.deepEqual(line.user, { password: '[redacted]', name: 'ann' });
  assert.doesNotMatch(lines.join(''), /t0ps3cret|hunter2/);
});
