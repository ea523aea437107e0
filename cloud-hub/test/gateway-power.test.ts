import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStream, record } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

interface GatewayView {
  id: string;
  powerMode: string | null;
  powerSimulated: boolean | null;
  powerSinceMs: number | null;
  powerReportedAt: number | null;
}

describe('a gateway reports its power mode (Hello.power, GatewayMessage.power)', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  const gateway = async (id: string) => (await t.api<GatewayView>(`/api/v1/gateways/${id}`)).body;

  it('the fleet registry shows the mode from Hello, then each change sent while connected; a bad mode changes nothing', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    assert.deepEqual((await gateway(gatewayId)).powerMode, null, 'nothing before a report');
    const stream = new TestStream(t.client, credential);
    await stream.welcome({ power: { mode: 'saver', simulated: true, sinceMs: 1_700_000_000_000, source: 'battery' } });
    const afterHello = await gateway(gatewayId);
    assert.deepEqual([afterHello.powerMode, afterHello.powerSimulated, afterHello.powerSinceMs], ['saver', true, 1_700_000_000_000]);

    stream.call.write({ power: { mode: 'critical', simulated: true, sinceMs: 1_700_000_060_000, source: 'battery' } });
    stream.call.write({ power: { mode: 'turbo', simulated: false, sinceMs: 1, source: '' } });
    // A batch after them: once it is acked, the messages before it were handled (one stream, in order).
    await stream.send([record(1, 'event', { v: 1, deviceId: 'd1', ts: 1, type: 'door', severity: 'info' })]);
    const list = (await t.api<{ gateways: GatewayView[] }>('/api/v1/gateways')).body.gateways;
    const view = list.find((g) => g.id === gatewayId)!;
    assert.deepEqual([view.powerMode, view.powerSimulated, view.powerSinceMs], ['critical', true, 1_700_000_060_000]);
    assert.ok(view.powerReportedAt !== null);
    await stream.end();
  });

  it('an older gateway without the field streams as before and shows no mode', async () => {
    const { gatewayId, credential } = await t.enrollGateway('old-gw');
    const stream = new TestStream(t.client, credential);
    await stream.welcome();
    assert.equal(await stream.send([record(1, 'event', { v: 1, deviceId: 'd1', ts: 1, type: 'door', severity: 'info' })]), 1);
    assert.equal((await gateway(gatewayId)).powerMode, null);
    await stream.end();
  });
});
