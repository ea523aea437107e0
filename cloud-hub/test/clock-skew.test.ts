import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStream, payloadFor, record } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

const JAN_1970 = 86_400_000;
const JAN_2038 = Date.UTC(2038, 0, 19);

describe('gateways that boot with a wrong clock', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  for (const [label, wallMs] of [
    ['1970', JAN_1970],
    ['2038', JAN_2038],
  ] as const) {
    it(`a Hello from ${label} is not trusted; records are stored untrusted and ordered by seq`, async () => {
      const { gatewayId, credential } = await t.enrollGateway(`skew-${label}`);
      const stream = new TestStream(t.client, credential);
      const welcome = await stream.welcome({ wallMs, hlc: { wallMs, logical: 0 } });
      assert.equal(welcome.clockTrusted, false);
      assert.ok(Math.abs(welcome.hubWallMs - Date.now()) < 60_000, 'the hub tells its own time');

      // The gateway's clock jumps backwards mid-stream (NTP fix, RTC reset): wall times go down while seq goes up.
      const records = [1, 2, 3, 4].map((seq) => {
        const hlcWall = wallMs + 10_000 - seq * 1000;
        return record(seq, 'alert', { ...(payloadFor('alert', seq) as object), ts: hlcWall }, hlcWall);
      });
      records.push(record(5, 'deviceState', { v: 1, deviceId: 'dev-1', ts: wallMs + 50_000, state: { mode: 'older-by-seq' } }, wallMs));
      records.push(record(6, 'deviceState', { v: 1, deviceId: 'dev-1', ts: wallMs - 50_000, state: { mode: 'newest' } }, wallMs));
      assert.equal(await stream.send(records), 6);

      const alerts = (await t.api<{ alerts: { seq: number; wallTimeTrusted: boolean; hlc: { wallMs: number } }[] }>(`/api/v1/gateways/${gatewayId}/alerts`)).body.alerts;
      assert.deepEqual(alerts.map((a) => a.seq), [1, 2, 3, 4], 'ordered by seq, not by wall time');
      assert.ok(alerts.every((a) => a.wallTimeTrusted === false));
      const devices = (await t.api<{ devices: { deviceId: string; state: { mode: string }; wallTimeTrusted: boolean; seq: number }[] }>(`/api/v1/gateways/${gatewayId}/devices`)).body.devices;
      assert.equal(devices.length, 1);
      assert.equal(devices[0]!.state.mode, 'newest', 'latest state is the highest seq, whatever its timestamp');
      assert.equal(devices[0]!.seq, 6);
      assert.equal(devices[0]!.wallTimeTrusted, false);
      const gateway = (await t.api<{ clockTrusted: boolean }>(`/api/v1/gateways/${gatewayId}`)).body;
      assert.equal(gateway.clockTrusted, false);
      await stream.end();
    });
  }

  it('a gateway with a sane clock is trusted, but a record stamped in 2038 or 1970 is not', async () => {
    const { gatewayId, credential } = await t.enrollGateway('sane');
    const stream = new TestStream(t.client, credential);
    assert.equal((await stream.welcome()).clockTrusted, true);
    assert.equal(await stream.send([record(1, 'alert', payloadFor('alert', 1), Date.now()), record(2, 'alert', payloadFor('alert', 2), JAN_2038), record(3, 'alert', payloadFor('alert', 3), JAN_1970)]), 3);
    const alerts = (await t.api<{ alerts: { seq: number; wallTimeTrusted: boolean }[] }>(`/api/v1/gateways/${gatewayId}/alerts`)).body.alerts;
    assert.deepEqual(alerts.map((a) => [a.seq, a.wallTimeTrusted]), [[1, true], [2, false], [3, false]]);
    await stream.end();
  });
});
