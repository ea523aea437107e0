import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { isModelError } from '../errors.js';
import { Prng } from '../signals/index.js';
import { agree, deriveKey, open, pairLabel, privateKeyFromRaw } from './secure-aggregation/crypto-primitives.js';
import type { SecAggConfig, SecAggEncryptedShare } from './secure-aggregation/messages.js';
import { quantise, wordsToBase64 } from './secure-aggregation/quantisation.js';
import { SecAggClient, shareAad } from './secure-aggregation/secagg-client.js';
import { SecAggServer } from './secure-aggregation/secagg-server.js';

const L = 300;
const cfg = (threshold: number, roundId = 'round-1'): SecAggConfig => ({ threshold, range: 1, fractionalBits: 16, vectorLength: L, roundId });

function updates(n: number) {
  const rng = new Prng('secagg-test');
  return Array.from({ length: n }, (_, c) => ({ id: `gw-${String(c).padStart(2, '0')}`, delta: Float32Array.from({ length: L }, () => rng.uniform(-0.5, 0.5)), weight: 1 + c * 37 }));
}

function plainMean(us: ReturnType<typeof updates>) {
  const total = us.reduce((s, u) => s + u.weight, 0);
  return Float64Array.from({ length: L }, (_, i) => us.reduce((s, u) => s + u.weight * u.delta[i]!, 0) / total);
}

/** Runs a whole round; `dropBeforeMask` send shares but no masked input; `silentAtUnmask` survive but send no unmask shares. */
function runRound(c: SecAggConfig, us: ReturnType<typeof updates>, dropBeforeMask = new Set<string>(), silentAtUnmask = new Set<string>()) {
  const server = new SecAggServer(c);
  const clients = new Map(us.map((u) => [u.id, new SecAggClient(u.id, c)]));
  for (const cl of clients.values()) server.addAdvertisement(cl.advertise());
  const roster = server.roster();
  const routed = server.routeShares([...clients.values()].flatMap((cl) => cl.shareKeys(roster)));
  for (const u of us) if (!dropBeforeMask.has(u.id)) server.addMaskedInput(clients.get(u.id)!.maskedInput(u.delta, u.weight, routed.get(u.id)!));
  const survivors = server.survivors();
  const dropped = server.dropped();
  for (const id of survivors) if (!silentAtUnmask.has(id)) server.addUnmaskShares(clients.get(id)!.unmask(survivors, dropped));
  return { server, clients, survivors, dropped, routed };
}

// Each client's rounding error is at most half a step, and a weighted mean of them is no larger.
const TOLERANCE = 0.5 / 2 ** 16 + 1e-7;

test('(a) 10 clients: the result is the plain weighted mean within the quantisation step', () => {
  const us = updates(10);
  const { server } = runRound(cfg(6), us);
  const r = server.result();
  const expected = plainMean(us);
  assert.equal(r.totalWeight, us.reduce((s, u) => s + u.weight, 0));
  assert.equal(r.survivors.length, 10);
  for (let i = 0; i < L; i++) assert.ok(Math.abs(r.mean[i]! - expected[i]!) <= TOLERANCE, `coordinate ${i}: ${r.mean[i]} vs ${expected[i]}`);
});

test('(b) 3 of 10 drop after sharing keys, before the masked input: the survivors\' mean is still exact', () => {
  const us = updates(10);
  const gone = new Set(['gw-01', 'gw-04', 'gw-08']);
  const { server, dropped } = runRound(cfg(6), us, gone, new Set(['gw-09']));
  assert.deepEqual(dropped, [...gone].sort());
  const r = server.result();
  const expected = plainMean(us.filter((u) => !gone.has(u.id)));
  assert.equal(r.survivors.length, 7);
  for (let i = 0; i < L; i++) assert.ok(Math.abs(r.mean[i]! - expected[i]!) <= TOLERANCE, `coordinate ${i}`);
});

test('(c) below the threshold the round refuses with MODEL_ERR_SECAGG_THRESHOLD, at each step', () => {
  const us = updates(10);
  // Too few masked inputs: 5 of 10 with threshold 6.
  const server = new SecAggServer(cfg(6));
  const clients = us.map((u) => new SecAggClient(u.id, cfg(6)));
  for (const cl of clients) server.addAdvertisement(cl.advertise());
  const roster = server.roster();
  const routed = server.routeShares(clients.flatMap((cl) => cl.shareKeys(roster)));
  us.slice(0, 5).forEach((u, i) => server.addMaskedInput(clients[i]!.maskedInput(u.delta, u.weight, routed.get(u.id)!)));
  assert.throws(() => server.survivors(), (e) => isModelError(e, 'MODEL_ERR_SECAGG_THRESHOLD'));
  assert.throws(() => server.result(), (e) => isModelError(e, 'MODEL_ERR_SECAGG_THRESHOLD'));
  // Too few unmask responses: 7 survive, 5 answer, threshold 6.
  const { server: s2 } = runRound(cfg(6, 'round-2'), us, new Set(['gw-00', 'gw-01', 'gw-02']), new Set(['gw-03', 'gw-04']));
  assert.throws(() => s2.result(), (e) => isModelError(e, 'MODEL_ERR_SECAGG_THRESHOLD'));
  // Too few advertisements.
  const s3 = new SecAggServer(cfg(6, 'round-3'));
  for (const u of us.slice(0, 5)) s3.addAdvertisement(new SecAggClient(u.id, cfg(6, 'round-3')).advertise());
  assert.throws(() => s3.roster(), (e) => isModelError(e, 'MODEL_ERR_SECAGG_THRESHOLD'));
});

test('(d) the server never holds an update in the clear, nor a key that opens a share', () => {
  const us = updates(10);
  const gone = new Set(['gw-02', 'gw-05', 'gw-07']);
  const c = cfg(6);
  const { server, clients } = runRound(c, us, gone);
  server.result();
  const held = server.holdings();
  assert.equal(held.maskedInputs.length, 7);
  for (const m of held.maskedInputs) {
    const u = us.find((q) => q.id === m.clientId)!;
    const clear = wordsToBase64(quantise(u.delta, u.weight, c));
    assert.notEqual(m.masked, clear, `${m.clientId}'s masked input is its quantised update`);
    // Not even partly: a masked word equals the clear one about once in 2^32.
    const a = Buffer.from(m.masked, 'base64');
    const b = Buffer.from(clear, 'base64');
    let same = 0;
    for (let i = 0; i < a.length; i += 4) if (a.readUInt32LE(i) === b.readUInt32LE(i)) same++;
    assert.ok(same <= 2, `${same} clear words in ${m.clientId}'s masked input`);
  }
  // Every 32-byte value the server holds, tried as a private key against every client's c public key, opens no share.
  const blobs = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      const b = Buffer.from(v, 'base64');
      if (b.length === 32) blobs.add(v);
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x);
  };
  collect(held);
  assert.ok(blobs.size >= 20, 'the public keys are among the candidates');
  const tryOpen = (share: SecAggEncryptedShare, key: Buffer) => {
    try {
      open(key, share.ciphertext, shareAad(share.clientId, share.recipientId));
      return true;
    } catch {
      return false;
    }
  };
  const sharesToTry = held.shares.slice(0, 12);
  const cPublics = held.advertisements.map((a) => Buffer.from(a.cPublicKey, 'base64'));
  for (const share of sharesToTry) {
    for (const blob of blobs) {
      const raw = Buffer.from(blob, 'base64');
      // As a key itself, and as a private key agreeing with each client's c key the way the protocol derives it.
      assert.equal(tryOpen(share, raw), false);
      const asPrivate = privateKeyFromRaw(raw);
      for (const pub of cPublics) assert.equal(tryOpen(share, deriveKey(agree(asPrivate, pub), c.roundId, pairLabel('share-key', share.clientId, share.recipientId))), false);
    }
  }
  // The control: the recipient's own c key does open it, so the check above could have failed.
  const share = sharesToTry[0]!;
  const recipient = clients.get(share.recipientId)!;
  const cKeys = Reflect.get(recipient, 'cKeys') as { privateKey: KeyObject };
  const senderAd = held.advertisements.find((a) => a.clientId === share.clientId)!;
  const key = deriveKey(agree(cKeys.privateKey, Buffer.from(senderAd.cPublicKey, 'base64')), c.roundId, pairLabel('share-key', share.clientId, share.recipientId));
  assert.equal(tryOpen(share, key), true);
  // And the server got key shares only for the dropped clients, self-mask shares only for survivors: never both.
  for (const u of held.unmaskShares) {
    const keyOwners = new Set(u.keyShares.map((s) => s.ownerId));
    assert.deepEqual([...keyOwners].sort(), [...gone].sort());
    for (const s of u.selfMaskShares) assert.equal(keyOwners.has(s.ownerId), false);
  }
});

test('a tampered share, a share from another round and a contradictory survivor list are refused with a code', () => {
  const us = updates(4);
  const c = cfg(3);
  const server = new SecAggServer(c);
  const clients = us.map((u) => new SecAggClient(u.id, c));
  for (const cl of clients) server.addAdvertisement(cl.advertise());
  const roster = server.roster();
  const routed = server.routeShares(clients.flatMap((cl) => cl.shareKeys(roster)));
  const mine = routed.get('gw-00')!;
  const bytes = Buffer.from(mine[0]!.ciphertext, 'base64');
  bytes[20]! ^= 1;
  const tampered = [{ ...mine[0]!, ciphertext: bytes.toString('base64') }, ...mine.slice(1)];
  assert.throws(() => clients[0]!.maskedInput(us[0]!.delta, 1, tampered), (e) => isModelError(e, 'MODEL_ERR_SECAGG_MESSAGE'));
  assert.throws(() => clients[0]!.maskedInput(us[0]!.delta, 1, [{ ...mine[0]!, roundId: 'other' }]), (e) => isModelError(e, 'MODEL_ERR_SECAGG_MESSAGE'));
  // Nothing was kept from the bad deliveries: the good one still works.
  server.addMaskedInput(clients[0]!.maskedInput(us[0]!.delta, 1, mine));
  assert.throws(() => server.addMaskedInput(clients[0]!.maskedInput(us[0]!.delta, 1, mine)), (e) => isModelError(e, 'MODEL_ERR_SECAGG_MESSAGE'));
  assert.throws(() => clients[0]!.unmask(['gw-00', 'gw-01', 'gw-02'], ['gw-02', 'gw-03']), (e) => isModelError(e, 'MODEL_ERR_SECAGG_MESSAGE'));
  assert.throws(() => server.addAdvertisement(clients[1]!.advertise()), (e) => isModelError(e, 'MODEL_ERR_SECAGG_MESSAGE'));
  assert.throws(() => new SecAggServer({ ...c, threshold: 1 }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
  assert.throws(() => clients[1]!.maskedInput(us[1]!.delta, 2 ** 20, routed.get('gw-01')!), (e) => isModelError(e, 'MODEL_ERR_SECAGG_OVERFLOW'));
});

test('an incomplete set of shares excludes its sender, and the round still sums the rest', () => {
  const us = updates(5);
  const c = cfg(3);
  const server = new SecAggServer(c);
  const clients = us.map((u) => new SecAggClient(u.id, c));
  for (const cl of clients) server.addAdvertisement(cl.advertise());
  const roster = server.roster();
  const shares = clients.flatMap((cl) => cl.shareKeys(roster));
  const partial = shares.filter((s) => !(s.clientId === 'gw-03' && s.recipientId === 'gw-00'));
  const routed = server.routeShares(partial);
  assert.equal(routed.has('gw-03'), false);
  assert.deepEqual(server.problems().map((p) => p.clientId), ['gw-03']);
  for (const [i, u] of us.entries()) if (u.id !== 'gw-03') server.addMaskedInput(clients[i]!.maskedInput(u.delta, u.weight, routed.get(u.id)!));
  const survivors = server.survivors();
  for (const id of survivors) server.addUnmaskShares(clients[us.findIndex((u) => u.id === id)]!.unmask(survivors, server.dropped()));
  const expected = plainMean(us.filter((u) => u.id !== 'gw-03'));
  const r = server.result();
  for (let i = 0; i < L; i++) assert.ok(Math.abs(r.mean[i]! - expected[i]!) <= TOLERANCE);
});

test('a total weight past the bound is refused at the result (MODEL_ERR_SECAGG_OVERFLOW) instead of wrapping silently', () => {
  const us = updates(3).map((u) => ({ ...u, weight: 20_000 }));
  const { server } = runRound(cfg(2, 'round-overflow'), us);
  assert.throws(() => server.result(), (e) => isModelError(e, 'MODEL_ERR_SECAGG_OVERFLOW'));
  const fine = updates(3).map((u) => ({ ...u, weight: 10_000 }));
  assert.equal(runRound(cfg(2, 'round-fine'), fine).server.result().totalWeight, 30_000);
});
