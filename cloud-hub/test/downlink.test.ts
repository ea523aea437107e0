import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStream, record } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

interface Command {
  commandId: string;
  status: string;
  expiresAt: number;
}

describe('desired state and commands down the stream', () => {
  let t: TestHub;
  let clock = Date.now();
  before(async () => {
    t = await startTestHub({}, { now: () => clock });
  });
  after(() => t.close());

  it('delivers commands and desired state, re-sends after a reconnect until reported, never sends expired ones', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const base = `/api/v1/gateways/${gatewayId}/devices`;
    // Created while the gateway is offline.
    const reboot = (await t.api<Command>(`${base}/pump-1/commands`, { method: 'POST', json: { name: 'reboot', args: { delayS: 5 } } })).body;
    const shortLived = (await t.api<Command>(`${base}/pump-2/commands`, { method: 'POST', json: { name: 'blink', ttlMs: 1000 } })).body;
    const desired = await t.api<{ desiredVersion: number; desired: { configVersion: number } }>(`${base}/pump-1/shadow/desired`, {
      method: 'PUT',
      json: { reporting: { intervalMs: 5000 } },
    });
    assert.equal(desired.status, 200);
    assert.equal(desired.body.desiredVersion, 1);
    assert.equal(desired.body.desired.configVersion, 1);
    clock += 2000; // shortLived is past its expiry now

    const first = new TestStream(t.client, credential);
    await first.welcome();
    const cmd = (await first.next((m) => m.body === 'command')).command!;
    assert.equal(cmd.commandId, reboot.commandId);
    assert.equal(cmd.deviceId, 'pump-1');
    assert.equal(cmd.name, 'reboot');
    assert.deepEqual(JSON.parse(cmd.args.toString()), { delayS: 5 });
    assert.equal(cmd.expiresAtMs, reboot.expiresAt);
    const state = (await first.next((m) => m.body === 'desiredState')).desiredState!;
    assert.equal(state.deviceId, 'pump-1');
    assert.equal(state.version, 1);
    assert.deepEqual(JSON.parse(state.config.toString()), { v: 1, configVersion: 1, reporting: { intervalMs: 5000, mode: 'periodic' } });

    // Created while the stream is up: sent at once.
    const live = (await t.api<Command>(`${base}/pump-3/commands`, { method: 'POST', json: { name: 'calibrate' } })).body;
    await first.next((m) => m.body === 'command' && m.command!.commandId === live.commandId);
    await t.api(`${base}/pump-1/shadow/desired`, { method: 'PUT', json: { props: { setpoint: 21 } } });
    await first.next((m) => m.body === 'desiredState' && m.desiredState!.version === 2);
    // The gateway reports one command (stream message) and the device answers another (outbox record).
    first.commandResult(reboot.commandId, 'delivered');
    assert.equal(await first.send([record(1, 'commandResult', { v: 1, deviceId: 'pump-3', commandId: live.commandId, status: 'ok', body: { offset: 0.2 } })]), 1);
    await first.end();

    const statusOf = async (deviceId: string, id: string) => (await t.api<Command>(`${base}/${deviceId}/commands/${id}`)).body.status;
    assert.equal(await statusOf('pump-1', reboot.commandId), 'delivered');
    assert.equal(await statusOf('pump-3', live.commandId), 'ok');

    // Reconnect: only what is still pending is sent again, and the latest desired state.
    const pending = (await t.api<Command>(`${base}/pump-4/commands`, { method: 'POST', json: { name: 'open' } })).body;
    const second = new TestStream(t.client, credential);
    await second.welcome();
    await second.next((m) => m.body === 'command' && m.command!.commandId === pending.commandId);
    await second.next((m) => m.body === 'desiredState' && m.desiredState!.version === 2);
    second.commandResult(pending.commandId, 'rejected', { reason: 'busy' });
    second.commandResult(pending.commandId, 'delivered'); // late: must not overwrite the final status
    assert.equal(await second.send([]), 1, 'a round trip so both results were processed');
    const sent = second.received.filter((m) => m.body === 'command').map((m) => m.command!.commandId);
    assert.deepEqual(sent, [pending.commandId], 'delivered, finished and expired commands are not sent again');
    assert.equal(second.received.filter((m) => m.body === 'desiredState').length, 1, 'one desired state per device: the latest');
    assert.equal(await statusOf('pump-4', pending.commandId), 'rejected');
    await second.end();

    // The unsent, expired command is marked so by the hub.
    t.hub.store.commands.expire(clock);
    assert.equal(await statusOf('pump-2', shortLived.commandId), 'expired');
    const list = (await t.api<{ commands: Command[] }>(`${base}/pump-1/commands`)).body.commands;
    assert.equal(list.length, 1);
    const shadow = (await t.api<{ desiredVersion: number; desired: { props: object } }>(`${base}/pump-1/shadow`)).body;
    assert.equal(shadow.desiredVersion, 2);
    assert.deepEqual(shadow.desired.props, { setpoint: 21 });
  });

  it('re-sends a command on every reconnect until the gateway reports it', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const cmd = (await t.api<Command>(`/api/v1/gateways/${gatewayId}/devices/valve-1/commands`, { method: 'POST', json: { name: 'close' } })).body;
    for (let i = 0; i < 2; i++) {
      const stream = new TestStream(t.client, credential);
      await stream.welcome();
      await stream.next((m) => m.body === 'command' && m.command!.commandId === cmd.commandId);
      stream.cancel(); // dropped connection, nothing reported
      await stream.ended;
    }
    // The hub noticed each dropped connection: the gateway is no longer connected.
    for (let i = 0; i < 50 && (await t.api<{ connected: boolean }>(`/api/v1/gateways/${gatewayId}`)).body.connected; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await t.api<{ connected: boolean }>(`/api/v1/gateways/${gatewayId}`)).body.connected, false);
    assert.equal(t.hub.store.fleet.get(gatewayId)?.connected, false, 'the stored flag (what the CLI shows) follows');
    const sentCount = (await t.api<{ sentCount: number; status: string }>(`/api/v1/gateways/${gatewayId}/devices/valve-1/commands/${cmd.commandId}`)).body;
    assert.equal(sentCount.status, 'pending');
    assert.equal(sentCount.sentCount, 2);
  });

  it('refuses bad shadow and command requests with HUB_ERR_BAD_REQUEST', async () => {
    const { gatewayId } = await t.enrollGateway();
    const bad = await t.api<{ error: { code: string } }>(`/api/v1/gateways/${gatewayId}/devices/d1/shadow/desired`, { method: 'PUT', json: { reporting: { intervalMs: 1 } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'HUB_ERR_BAD_REQUEST');
    const badCmd = await t.api<{ error: { code: string } }>(`/api/v1/gateways/${gatewayId}/devices/d1/commands`, { method: 'POST', json: { args: {} } });
    assert.equal(badCmd.status, 400);
  });
});
