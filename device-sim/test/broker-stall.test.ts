import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startMosquitto } from '../src/bench/mosquitto.js';
import { runDeviceLoad } from '../src/load/run-device-load.js';

it('ends a run whose broker stops answering, counting what was never acked', async () => {
  const broker = await startMosquitto();
  let frozen = false;
  try {
    const report = await runDeviceLoad({
      url: broker.url,
      count: 3,
      qos: 1,
      durationMs: 2_000,
      drainTimeoutMs: 300,
      closeTimeoutMs: 300,
      // Freeze the broker (SIGSTOP) once publishing is under way: sockets stay open, nothing answers.
      onSecond: (line) => {
        if (!frozen && line.acked > 0) {
          process.kill(broker.pid, 'SIGSTOP');
          frozen = true;
        }
      },
    });
    assert.ok(frozen, 'the broker was frozen during the run');
    assert.equal(report.workersTerminated, 0, 'workers closed their devices themselves');
    assert.ok(report.totals.unackedAtClose > 0, 'publishes in flight at the freeze are reported, not waited for');
    assert.equal(report.totals.sent, report.totals.acked + report.totals.unackedAtClose);
  } finally {
    if (frozen) process.kill(broker.pid, 'SIGCONT');
    await broker.close();
  }
});
