import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ApplyContext, HubStore, IncomingRecord } from '../../src/store/hub-store.js';
import { payloadFor } from '../helpers/payloads.js';
import { record } from '../helpers/sync-client.js';

// The contract every HubStore implementation passes: the embedded SQLite one today, PostgreSQL later.
// Run it with a factory that gives a fresh, empty store.

const T0 = 1_700_000_000_000;
const ctx = (over: Partial<ApplyContext> = {}): ApplyContext => ({ sessionClockTrusted: true, clockToleranceMs: 300_000, nowMs: T0, ...over });
const rec = (seq: number, cls: Parameters<typeof record>[1], payload: unknown, wallMs = T0): IncomingRecord => {
  const r = record(seq, cls, payload, wallMs);
  return { seq: r.seq, dataClass: r.dataClass, hlcWallMs: r.hlc.wallMs, hlcLogical: r.hlc.logical, payload: r.payload };
};

/** `factory` gives a fresh store whose quarantine keeps at most 100 rows. */
export function runHubStoreContract(name: string, factory: () => { store: HubStore; cleanup: () => void }): void {
  describe(`HubStore contract: ${name}`, () => {
    let store: HubStore;
    let cleanup: () => void;
    let gatewayId: string;
    beforeEach(() => {
      ({ store, cleanup } = factory());
      const { token } = store.enrollment.createToken(60_000, T0);
      gatewayId = store.enrollment.enroll(token, { name: 'g', softwareVersion: '1' }, T0)!.gatewayId;
    });
    afterEach(() => {
      store.close();
      cleanup();
    });

    it('a token enrolls once and not after expiry; credentials authenticate, revocation shows', () => {
      const { token } = store.enrollment.createToken(1000, T0);
      assert.equal(store.enrollment.enroll(token, { name: 'x', softwareVersion: '' }, T0 + 1000), null, 'expired at expiresAt');
      const fresh = store.enrollment.createToken(1000, T0);
      const enrolled = store.enrollment.enroll(fresh.token, { name: 'x', softwareVersion: '' }, T0)!;
      assert.equal(store.enrollment.enroll(fresh.token, { name: 'y', softwareVersion: '' }, T0), null, 'used');
      assert.deepEqual(store.enrollment.authenticate(enrolled.credential), { gatewayId: enrolled.gatewayId, revoked: false });
      assert.equal(store.enrollment.authenticate(`${enrolled.gatewayId}.wrong-secret-wrong-secret`), null);
      assert.equal(store.enrollment.authenticate('nonsense'), null);
      assert.equal(store.fleet.revoke(enrolled.gatewayId, T0 + 5)!.revokedAt, T0 + 5);
      assert.equal(store.fleet.revoke(enrolled.gatewayId, T0 + 9)!.revokedAt, T0 + 5, 'the first revocation time stays');
      assert.deepEqual(store.enrollment.authenticate(enrolled.credential), { gatewayId: enrolled.gatewayId, revoked: true });
      assert.deepEqual(store.fleet.revokedSince(T0), [enrolled.gatewayId]);
      assert.equal(store.fleet.revoke('gw-0000000000000000', T0), undefined);
    });

    it('a retry with the same request id after a lost response re-issues the credential; nothing else does', () => {
      const { token } = store.enrollment.createToken(60_000, T0);
      const first = store.enrollment.enroll(token, { name: 'x', softwareVersion: '', requestId: 'request-aaaaaaaaaaaaaaaaaaaaaaaa' }, T0)!;
      assert.equal(store.enrollment.enroll(token, { name: 'x', softwareVersion: '', requestId: 'request-bbbbbbbbbbbbbbbbbbbbbbbb' }, T0 + 1), null, 'another request id');
      assert.equal(store.enrollment.enroll(token, { name: 'x', softwareVersion: '' }, T0 + 1), null, 'no request id');
      const retry = store.enrollment.enroll(token, { name: 'x', softwareVersion: '', requestId: 'request-aaaaaaaaaaaaaaaaaaaaaaaa' }, T0 + 2)!;
      assert.equal(retry.gatewayId, first.gatewayId, 'the same gateway, not a second one');
      assert.notEqual(retry.credential, first.credential);
      assert.equal(store.enrollment.authenticate(first.credential), null, 'the lost credential no longer works');
      assert.deepEqual(store.enrollment.authenticate(retry.credential), { gatewayId: first.gatewayId, revoked: false });
      assert.equal(store.enrollment.enroll(token, { name: 'x', softwareVersion: '', requestId: 'request-aaaaaaaaaaaaaaaaaaaaaaaa' }, T0 + 60_000), null, 'not after expiry');
      store.fleet.recordHello(first.gatewayId, { protocolVersion: 1, softwareVersion: '', backlogRecords: 0, backlogOldestMs: 0, clockTrusted: true }, T0 + 3);
      assert.equal(store.enrollment.enroll(token, { name: 'x', softwareVersion: '', requestId: 'request-aaaaaaaaaaaaaaaaaaaaaaaa' }, T0 + 4), null, 'not once the gateway has connected');
    });

    it('keeps the power mode a gateway reports in Hello and while connected; a Hello without one keeps the last', () => {
      const hello = { protocolVersion: 1, softwareVersion: '1', backlogRecords: 0, backlogOldestMs: 0, clockTrusted: true };
      const fresh = store.fleet.get(gatewayId)!;
      assert.deepEqual([fresh.powerMode, fresh.powerSimulated, fresh.powerSinceMs, fresh.powerReportedAt], [null, null, null, null], 'none before a report');
      store.fleet.recordHello(gatewayId, { ...hello, power: { mode: 'balanced', simulated: true, sinceMs: T0 - 5000 } }, T0);
      const afterHello = store.fleet.get(gatewayId)!;
      assert.deepEqual([afterHello.powerMode, afterHello.powerSimulated, afterHello.powerSinceMs, afterHello.powerReportedAt], ['balanced', true, T0 - 5000, T0]);
      store.fleet.recordPower(gatewayId, { mode: 'critical', simulated: false, sinceMs: T0 + 10 }, T0 + 20);
      const updated = store.fleet.list().find((g) => g.id === gatewayId)!;
      assert.deepEqual([updated.powerMode, updated.powerSimulated, updated.powerSinceMs, updated.powerReportedAt], ['critical', false, T0 + 10, T0 + 20]);
      store.fleet.recordHello(gatewayId, { ...hello, power: null }, T0 + 30);
      assert.equal(store.fleet.get(gatewayId)!.powerMode, 'critical', 'the last reported mode stays, with its report time');
      assert.equal(store.fleet.get(gatewayId)!.lastSeenAt, T0 + 30);
    });

    it('applies several batches of several gateways with one commit, each as applyBatch would, in order', () => {
      const { token } = store.enrollment.createToken(60_000, T0);
      const other = store.enrollment.enroll(token, { name: 'h', softwareVersion: '1' }, T0)!.gatewayId;
      const outcomes = store.sync.applyBatches([
        { gatewayId, records: [1, 2].map((s) => rec(s, 'alert', payloadFor('alert', s))), context: ctx() },
        { gatewayId: other, records: [rec(1, 'event', payloadFor('event', 1))], context: ctx() },
        // Continues the first batch of the same gateway: it sees that batch inside the same transaction.
        { gatewayId, records: [rec(3, 'event', payloadFor('event', 3))], context: ctx() },
        { gatewayId: other, records: [rec(5, 'event', payloadFor('event', 5))], context: ctx() },
      ]);
      assert.deepEqual(outcomes, [
        { kind: 'applied', ackedSeq: 2, applied: { alert: 2 }, duplicates: 0, quarantined: [] },
        { kind: 'applied', ackedSeq: 1, applied: { event: 1 }, duplicates: 0, quarantined: [] },
        { kind: 'applied', ackedSeq: 3, applied: { event: 1 }, duplicates: 0, quarantined: [] },
        { kind: 'sequence', ackedSeq: 1, expectedSeq: 2, gotSeq: 5 },
      ]);
      assert.equal(store.sync.ackedSeq(gatewayId), 3);
      assert.equal(store.sync.ackedSeq(other), 1);
    });

    it('applies a batch once: duplicates skipped, gaps refused whole, cursor and counts move together', () => {
      const batch = [1, 2, 3].map((s) => rec(s, 'alert', payloadFor('alert', s)));
      const first = store.sync.applyBatch(gatewayId, batch, ctx());
      assert.deepEqual(first, { kind: 'applied', ackedSeq: 3, applied: { alert: 3 }, duplicates: 0, quarantined: [] });
      const again = store.sync.applyBatch(gatewayId, [...batch, rec(4, 'event', payloadFor('event', 4))], ctx());
      assert.deepEqual(again, { kind: 'applied', ackedSeq: 4, applied: { event: 1 }, duplicates: 3, quarantined: [] });
      const gap = store.sync.applyBatch(gatewayId, [rec(5, 'event', payloadFor('event', 5)), rec(7, 'event', payloadFor('event', 7))], ctx());
      assert.deepEqual(gap, { kind: 'sequence', ackedSeq: 4, expectedSeq: 6, gotSeq: 7 });
      assert.equal(store.sync.ackedSeq(gatewayId), 4);
      const counts = store.sync.counts(gatewayId);
      assert.equal(counts.appliedSeq, 4);
      assert.equal(counts.duplicatesSkipped, 3);
      assert.equal(counts.records.alert, 3);
      assert.equal(counts.records.event, 1);
      assert.equal(counts.rows.event, 1, 'nothing of the refused batch was written');
    });

    it('quarantines bad payloads and still moves the cursor', () => {
      const out = store.sync.applyBatch(gatewayId, [rec(1, 'summary', { v: 1 }), rec(2, 'alert', payloadFor('alert', 2))], ctx());
      assert.equal(out.kind, 'applied');
      assert.equal(out.kind === 'applied' && out.quarantined[0]?.seq, 1);
      assert.equal(store.sync.counts(gatewayId).quarantined, 1);
      assert.equal(store.queries.quarantine(gatewayId, 10).length, 1);
    });

    it('upserts summaries per window, keeps the latest device state by seq, an alertId once', () => {
      const summary = payloadFor('summary', 1) as Record<string, unknown>;
      const state = (s: number, ts: number) => ({ v: 1, deviceId: 'd1', ts, state: { s } });
      store.sync.applyBatch(
        gatewayId,
        [
          rec(1, 'summary', summary),
          rec(2, 'summary', { ...summary, mean: 2.5 }),
          rec(3, 'deviceState', state(3, T0 + 10_000)),
          rec(4, 'deviceState', state(4, T0)),
          rec(5, 'alert', payloadFor('alert', 9)),
          rec(6, 'alert', payloadFor('alert', 9)),
        ],
        ctx({ sessionClockTrusted: false }),
      );
      const counts = store.sync.counts(gatewayId);
      assert.deepEqual([counts.records.summary, counts.rows.summary], [2, 1]);
      assert.deepEqual([counts.records.alert, counts.rows.alert], [2, 1]);
      const summaries = store.queries.summaries(gatewayId, { limit: 10 });
      assert.equal((summaries[0]!.summary as { mean: number }).mean, 2.5);
      assert.equal(summaries[0]!.seq, 2);
      const device = store.shadows.devices(gatewayId)[0]!;
      assert.deepEqual([device.seq, device.state, device.wallTimeTrusted], [4, { s: 4 }, false]);
      assert.deepEqual(store.shadows.get(gatewayId, 'd1').reported?.state, { s: 4 });
    });

    it('versions desired state and lists changes after a cursor', () => {
      assert.equal(store.shadows.setDesired(gatewayId, 'd1', { reporting: { intervalMs: 1000 } }, T0).desiredVersion, 1);
      store.shadows.setDesired(gatewayId, 'd2', { props: { a: 1 } }, T0);
      const v2 = store.shadows.setDesired(gatewayId, 'd1', { props: { b: 2 } }, T0);
      assert.equal(v2.desiredVersion, 2);
      assert.equal(v2.desired?.configVersion, 2);
      const changes = store.shadows.desiredAfter(gatewayId, 0, 10);
      assert.deepEqual(changes.map((c) => [c.deviceId, c.version]), [['d2', 1], ['d1', 2]]);
      assert.deepEqual(store.shadows.desiredAfter(gatewayId, changes[0]!.changeSeq, 10).map((c) => c.deviceId), ['d1']);
      assert.throws(() => store.shadows.setDesired(gatewayId, 'd1', { reporting: { intervalMs: 1 } }, T0));
    });

    it('commands: pending until reported, final status sticks, expiry', () => {
      const a = store.commands.create(gatewayId, 'd1', { name: 'reboot', args: {}, ttlMs: 1000 }, T0);
      const b = store.commands.create(gatewayId, 'd1', { name: 'open', args: { x: 1 }, ttlMs: 60_000 }, T0);
      assert.deepEqual(store.commands.pendingAfter(gatewayId, 0, T0, 10).map((c) => c.commandId), [a.commandId, b.commandId]);
      assert.deepEqual(store.commands.pendingAfter(gatewayId, a.rowId, T0, 10).map((c) => c.commandId), [b.commandId]);
      assert.deepEqual(store.commands.pendingAfter(gatewayId, 0, T0 + 1000, 10).map((c) => c.commandId), [b.commandId], 'expired ones are not sent');
      assert.equal(store.commands.report(gatewayId, b.commandId, 'ok', { done: true }, T0), true);
      assert.equal(store.commands.report(gatewayId, b.commandId, 'delivered', null, T0), false);
      assert.equal(store.commands.report(gatewayId, b.commandId, 'bogus', null, T0), false);
      assert.deepEqual(store.commands.get(gatewayId, b.commandId)?.result, { done: true });
      assert.equal(store.commands.expire(T0 + 1000), 1);
      assert.equal(store.commands.get(gatewayId, a.commandId)?.status, 'expired');
      assert.equal(store.commands.pendingCount(gatewayId), 0);
    });

    it('tenants own the gateways their enrollment tokens enroll; API tokens are found by token, revoked once', () => {
      assert.deepEqual(store.tenants.list().map((x) => x.id), ['default']);
      assert.equal(store.fleet.get(gatewayId)!.tenantId, 'default', 'a token without a tenant is the default tenant\'s');
      assert.deepEqual(store.tenants.create('acme', 'Acme', T0), { id: 'acme', name: 'Acme', createdAt: T0 });
      assert.equal(store.tenants.create('acme', 'again', T0 + 1), null, 'ids are unique');
      const { token } = store.enrollment.createToken(60_000, T0, 'acme');
      const acmeGw = store.enrollment.enroll(token, { name: 'a', softwareVersion: '' }, T0)!.gatewayId;
      assert.equal(store.fleet.get(acmeGw)!.tenantId, 'acme');
      assert.deepEqual(store.fleet.list('acme').map((g) => g.id), [acmeGw]);
      assert.deepEqual(store.fleet.list('default').map((g) => g.id), [gatewayId]);
      assert.equal(store.fleet.list().length, 2);

      const created = store.tenants.createApiToken('acme', 'operator', 'ci', T0);
      assert.deepEqual(store.tenants.findApiToken(created.token), created.record);
      assert.equal(store.tenants.findApiToken(`${created.token}x`), undefined);
      assert.deepEqual(store.tenants.listApiTokens('acme').map((x) => x.id), [created.record.id]);
      assert.deepEqual(store.tenants.listApiTokens('default'), []);
      assert.equal(store.tenants.revokeApiToken(created.record.id, T0 + 5)!.revokedAt, T0 + 5);
      assert.equal(store.tenants.revokeApiToken(created.record.id, T0 + 9)!.revokedAt, T0 + 5, 'the first revocation time stays');
      assert.equal(store.tenants.findApiToken(created.token)!.revokedAt, T0 + 5, 'found, and the caller sees it is revoked');
      assert.equal(store.tenants.revokeApiToken('atk-0000000000000000', T0), undefined);
    });

    it('retention ages raw readings out', () => {
      store.sync.applyBatch(gatewayId, [rec(1, 'rawReading', payloadFor('rawReading', 1))], ctx({ nowMs: T0 }));
      assert.equal(store.runRetention(T0 + 1000), 0);
      assert.equal(store.runRetention(T0 + 365 * 86_400_000), 1);
      assert.equal(store.sync.counts(gatewayId).rows.rawReading, 0);
      assert.equal(store.sync.counts(gatewayId).records.rawReading, 1, 'records applied stay counted');
      // The factory bounds the quarantine at 100 rows: the oldest go first, the count stays.
      const bad = Array.from({ length: 120 }, (_, i) => rec(i + 2, 'summary', { v: 1 }));
      store.sync.applyBatch(gatewayId, bad, ctx({ nowMs: T0 + 1 }));
      store.runRetention(T0 + 2);
      assert.equal(store.queries.quarantine(gatewayId, 1000).length, 100);
      assert.equal(store.sync.counts(gatewayId).quarantined, 120);
    });
  });
}
