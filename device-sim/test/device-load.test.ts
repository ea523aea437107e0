import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MosquittoHandle, startMosquitto } from '../src/bench/mosquitto.js';
import { type DeviceLoadOptions, loopbackAddresses } from '../src/load/load-options.js';
import type { LoadReport } from '../src/load/load-stats.js';
import { runDeviceLoad } from '../src/load/run-device-load.js';
import { TelemetrySubscriber } from './telemetry-subscriber.js';

const DEVICES = 4;

/** Everything the generator claims must match what an independent subscriber saw, seq by seq. */
async function assertDelivered(report: LoadReport, sub: TelemetrySubscriber, qos: 0 | 1, allConnectedAtOnce = true): Promise<void> {
  const arrived = await sub.until(() => sub.received >= report.totals.sent, 10_000);
  assert.ok(arrived, `subscriber saw ${sub.received} of ${report.totals.sent} messages`);
  // A device that finishes its messages disconnects: on a busy machine it may be gone before the last one connects.
  if (allConnectedAtOnce) assert.equal(report.totals.peakConnected, DEVICES);
  else assert.ok(report.totals.peakConnected >= 1 && report.totals.peakConnected <= DEVICES, `peak ${report.totals.peakConnected}`);
  assert.equal(report.totals.firstConnects, DEVICES);
  assert.equal(report.totals.errors, 0, report.errorSamples.join('; '));
  assert.ok(report.totals.sent > 0);
  if (qos === 1) {
    assert.equal(report.totals.acked, report.totals.sent);
    assert.ok(report.latencyMs && report.latencyMs.count === report.totals.acked);
  } else {
    assert.equal(report.totals.acked, 0);
  }
  assert.equal(report.devices.length, DEVICES);
  for (const device of report.devices) {
    const seen = sub.seqs.get(device.id) ?? [];
    const expected = Array.from({ length: device.sent }, (_, i) => i);
    assert.deepEqual([...seen].sort((a, b) => a - b), expected, `${device.id}: seqs 0..${device.sent - 1} exactly once`);
    assert.equal(device.highestSentSeq, device.sent - 1);
    assert.equal(device.highestAckedSeq, qos === 1 ? Math.max(...seen) : -1);
  }
  assert.equal(sub.received, report.totals.sent, 'nothing extra arrived');
}

describe('runDeviceLoad against a real Mosquitto', () => {
  let broker: MosquittoHandle;
  let prefixCounter = 0;
  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await broker?.close();
  });

  async function runAudited(options: Omit<DeviceLoadOptions, 'url'>): Promise<{ report: LoadReport; sub: TelemetrySubscriber }> {
    const sub = await TelemetrySubscriber.start(broker.port);
    try {
      // A fresh id prefix per run keeps one run's late messages out of the next run's audit.
      const report = await runDeviceLoad({ url: broker.url, count: DEVICES, idPrefix: `t${prefixCounter++}-`, ...options });
      return { report, sub };
    } catch (err) {
      await sub.close();
      throw err;
    }
  }

  for (const qos of [0, 1] as const) {
    for (const encoding of ['json', 'cbor'] as const) {
      it(`publishes at a fixed rate, QoS ${qos} ${encoding}: every seq arrives once`, async () => {
        const lines: unknown[] = [];
        const { report, sub } = await runAudited({ qos, encoding, ratePerDevice: 40, durationMs: 2_000, onSecond: (l) => lines.push(l) });
        try {
          await assertDelivered(report, sub, qos);
          assert.ok(lines.length >= 2, 'a line per second plus the closing line');
        } finally {
          await sub.close();
        }
      });
    }
  }

  it('publishes as fast as acks allow until a message count, QoS 1 cbor', async () => {
    const { report, sub } = await runAudited({ qos: 1, encoding: 'cbor', messagesPerDevice: 150, inflightWindow: 8, durationMs: 20_000 });
    try {
      assert.equal(report.settings.stopReason, 'every device finished');
      assert.ok(report.seconds.length >= 1, 'lines are kept in the report even without an onSecond callback');
      assert.equal(report.totals.sent, DEVICES * 150);
      await assertDelivered(report, sub, 1, false);
      for (const device of report.devices) assert.equal(device.highestAckedSeq, 149);
    } finally {
      await sub.close();
    }
  });

  it('spreads connections over loopback source addresses', async () => {
    const { report, sub } = await runAudited({ qos: 1, ratePerDevice: 5, durationMs: 1_000, localAddresses: loopbackAddresses(3) });
    try {
      await assertDelivered(report, sub, 1);
      // Mosquitto logs each client's source address at its default log level.
      for (const address of ['127.0.0.2', '127.0.0.3']) assert.match(broker.output(), new RegExp(`New connection from ${address.replaceAll('.', '\\.')}:`));
    } finally {
      await sub.close();
    }
  });

  it('refuses a device count the file-descriptor limit cannot hold, saying how to raise it', async () => {
    await assert.rejects(runDeviceLoad({ url: broker.url, count: 50_000_000, durationMs: 1_000 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SIM_ERR_FD_LIMIT');
      assert.match(err.message, /50000000 connections need about \d+ file descriptors/);
      assert.match(err.message, /ulimit -n \d+/);
      return true;
    });
  });
});
