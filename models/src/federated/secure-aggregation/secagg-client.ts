import { ModelError } from '../../errors.js';
import { agree, deriveKey, generateX25519, open, pairLabel, prgWords, randomSeed, seal, SELF_MASK_LABEL, type X25519Pair } from './crypto-primitives.js';
import {
  checkAdvertisement,
  checkConfig,
  checkEncryptedShare,
  checkId,
  SECAGG_MESSAGE_VERSION,
  type SecAggAdvertisement,
  type SecAggConfig,
  type SecAggEncryptedShare,
  type SecAggMaskedInput,
  type SecAggUnmaskShares,
} from './messages.js';
import { quantise, wordsToBase64 } from './quantisation.js';
import { decodeFieldElement, encodeFieldElement, type Share, splitSecret } from './shamir.js';

type Stage = 'new' | 'advertised' | 'shared' | 'masked' | 'done';

/** What a share's plaintext carries: this recipient's Shamir shares of the sender's s key and self-mask seed. */
interface SharePlaintext {
  roundId: string;
  from: string;
  to: string;
  x: number;
  s: string;
  b: string;
}

const fail = (detail: string) => new ModelError('MODEL_ERR_SECAGG_MESSAGE', detail);

/**
 * One client's side of one secure-aggregation round (Bonawitz et al. 2017, the honest-but-curious
 * variant): advertise → shareKeys → maskedInput → unmask, each once and in that order. Single use: keys
 * and the self-mask seed live only in this object and die with it.
 */
export class SecAggClient {
  readonly clientId: string;
  private readonly cfg: SecAggConfig;
  private stage: Stage = 'new';
  private cKeys: X25519Pair | undefined;
  private sKeys: X25519Pair | undefined;
  private roster = new Map<string, SecAggAdvertisement>();
  /** Shamir x coordinate of each roster member: its 1-based position in the roster sorted by id. */
  private xOf = new Map<string, number>();
  private ownShares: { s: Share; b: Share } | undefined;
  /** The self-mask seed b: kept only from shareKeys until the masked input is built. */
  private selfSeed: Buffer | undefined;
  /** Shares received from each neighbour (clients whose shares reached us; they are in our masks). */
  private received = new Map<string, { s: Share; b: Share }>();

  constructor(clientId: string, cfg: SecAggConfig) {
    this.clientId = checkId('clientId', clientId);
    checkConfig(cfg);
    this.cfg = { ...cfg };
  }

  /** Round 0: two fresh X25519 key pairs, c for encrypting shares and s for the pairwise masks. */
  advertise(): SecAggAdvertisement {
    this.advance('new', 'advertised');
    this.cKeys = generateX25519();
    this.sKeys = generateX25519();
    return { v: SECAGG_MESSAGE_VERSION, roundId: this.cfg.roundId, clientId: this.clientId, cPublicKey: this.cKeys.publicRaw.toString('base64'), sPublicKey: this.sKeys.publicRaw.toString('base64') };
  }

  /** Round 1: t-of-n shares of the s private key and of a fresh self-mask seed b, one ciphertext per other roster member. */
  shareKeys(roster: readonly SecAggAdvertisement[]): SecAggEncryptedShare[] {
    this.advance('advertised', 'shared');
    const byId = new Map<string, SecAggAdvertisement>();
    for (const a of roster) {
      checkAdvertisement(a, this.cfg.roundId);
      if (byId.has(a.clientId)) throw fail(`roster names ${a.clientId} twice`);
      byId.set(a.clientId, a);
    }
    const mine = byId.get(this.clientId);
    if (!mine || mine.cPublicKey !== this.cKeys!.publicRaw.toString('base64') || mine.sPublicKey !== this.sKeys!.publicRaw.toString('base64')) throw fail('the roster does not hold this client with its own keys');
    const keys = new Set<string>();
    for (const a of byId.values()) for (const k of [a.cPublicKey, a.sPublicKey]) if (keys.has(k) ? true : (keys.add(k), false)) throw fail(`public key of ${a.clientId} repeats another's`);
    if (byId.size < this.cfg.threshold) throw new ModelError('MODEL_ERR_SECAGG_THRESHOLD', `roster of ${byId.size}, threshold ${this.cfg.threshold}`);
    const ids = [...byId.keys()].sort();
    ids.forEach((id, i) => {
      this.roster.set(id, byId.get(id)!);
      this.xOf.set(id, i + 1);
    });
    const xs = ids.map((id) => this.xOf.get(id)!);
    const sShares = splitSecret(this.sKeys!.privateRaw, xs, this.cfg.threshold);
    const bSeed = randomSeed();
    const bShares = splitSecret(bSeed, xs, this.cfg.threshold);
    this.selfSeed = bSeed;
    const out: SecAggEncryptedShare[] = [];
    ids.forEach((id, i) => {
      if (id === this.clientId) {
        this.ownShares = { s: sShares[i]!, b: bShares[i]! };
        return;
      }
      const plaintext: SharePlaintext = { roundId: this.cfg.roundId, from: this.clientId, to: id, x: xs[i]!, s: encodeFieldElement(sShares[i]!.y), b: encodeFieldElement(bShares[i]!.y) };
      const key = this.shareKey(id);
      out.push({ v: SECAGG_MESSAGE_VERSION, roundId: this.cfg.roundId, clientId: this.clientId, recipientId: id, ciphertext: seal(key, Buffer.from(JSON.stringify(plaintext)), shareAad(this.clientId, id)) });
    });
    return out;
  }

  /**
   * Round 2: y = x + PRG(b) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv) in Z_2^32, over the neighbours whose
   * shares arrived; x is the quantised weight·update with the weight appended.
   */
  maskedInput(update: Float32Array, weight: number, received: readonly SecAggEncryptedShare[]): SecAggMaskedInput {
    if (this.stage !== 'shared') throw fail(`maskedInput called at stage ${this.stage}`);
    const x = quantise(update, weight, this.cfg);
    // Everything is checked before anything is kept: a bad delivery leaves the client able to take a good one.
    const got = new Map<string, { s: Share; b: Share }>();
    for (const m of received) {
      checkEncryptedShare(m, this.cfg.roundId);
      if (m.recipientId !== this.clientId) throw fail(`a share for ${m.recipientId} was delivered to ${this.clientId}`);
      if (!this.roster.has(m.clientId)) throw fail(`a share from ${m.clientId}, who is not in the roster`);
      if (got.has(m.clientId)) throw fail(`two shares from ${m.clientId}`);
      const p = JSON.parse(open(this.shareKey(m.clientId), m.ciphertext, shareAad(m.clientId, this.clientId)).toString('utf8')) as SharePlaintext;
      if (p.roundId !== this.cfg.roundId || p.from !== m.clientId || p.to !== this.clientId || p.x !== this.xOf.get(this.clientId)) throw fail(`the share from ${m.clientId} names another round, sender, recipient or position`);
      got.set(m.clientId, { s: { x: p.x, y: decodeFieldElement(p.s) }, b: { x: p.x, y: decodeFieldElement(p.b) } });
    }
    if (got.size + 1 < this.cfg.threshold) throw new ModelError('MODEL_ERR_SECAGG_THRESHOLD', `${got.size + 1} clients shared keys, threshold ${this.cfg.threshold}`);
    this.received = got;
    this.stage = 'masked';
    const y = x;
    const words = y.length;
    addInto(y, prgWords(deriveKey(this.selfSeed!, this.cfg.roundId, SELF_MASK_LABEL), words), 1);
    for (const v of this.received.keys()) {
      const mask = prgWords(deriveKey(agree(this.sKeys!.privateKey, Buffer.from(this.roster.get(v)!.sPublicKey, 'base64')), this.cfg.roundId, pairLabel('pair-mask', this.clientId, v)), words);
      addInto(y, mask, this.clientId < v ? 1 : -1);
    }
    this.selfSeed = undefined;
    return { v: SECAGG_MESSAGE_VERSION, roundId: this.cfg.roundId, clientId: this.clientId, masked: wordsToBase64(y) };
  }

  /**
   * Round 3: shares of b for every survivor, of the s key for every dropped neighbour, never both for the
   * same client (that would unmask its input). Survivors and dropped must together be exactly this client's
   * neighbours and itself, and the survivors at least the threshold.
   */
  unmask(survivors: readonly string[], dropped: readonly string[]): SecAggUnmaskShares {
    this.advance('masked', 'done');
    const s = new Set(survivors);
    const d = new Set(dropped);
    if (s.size !== survivors.length || d.size !== dropped.length) throw fail('survivors or dropped repeat a client');
    if (!s.has(this.clientId)) throw fail('this client is not among the survivors');
    for (const id of d) if (s.has(id)) throw fail(`${id} is both a survivor and dropped`);
    const expected = new Set([this.clientId, ...this.received.keys()]);
    if (s.size + d.size !== expected.size || ![...s, ...d].every((id) => expected.has(id))) throw fail('survivors and dropped are not exactly the clients this one masked with');
    if (s.size < this.cfg.threshold) throw new ModelError('MODEL_ERR_SECAGG_THRESHOLD', `${s.size} survivors, threshold ${this.cfg.threshold}`);
    const held = (id: string) => (id === this.clientId ? this.ownShares! : this.received.get(id)!);
    return {
      v: SECAGG_MESSAGE_VERSION,
      roundId: this.cfg.roundId,
      clientId: this.clientId,
      selfMaskShares: [...s].sort().map((id) => ({ ownerId: id, x: held(id).b.x, y: encodeFieldElement(held(id).b.y) })),
      keyShares: [...d].sort().map((id) => ({ ownerId: id, x: held(id).s.x, y: encodeFieldElement(held(id).s.y) })),
    };
  }

  private shareKey(other: string): Buffer {
    return deriveKey(agree(this.cKeys!.privateKey, Buffer.from(this.roster.get(other)!.cPublicKey, 'base64')), this.cfg.roundId, pairLabel('share-key', this.clientId, other));
  }

  private advance(from: Stage, to: Stage): void {
    if (this.stage !== from) throw fail(`${to === 'advertised' ? 'advertise' : to === 'shared' ? 'shareKeys' : 'unmask'} called at stage ${this.stage}`);
    this.stage = to;
  }
}

/** Sender and recipient bound into each ciphertext: a share cannot be replayed to another client. */
export const shareAad = (from: string, to: string) => `${from}\u0000${to}`;

/** y ← y ± m in Z_2^32. */
export function addInto(y: Uint32Array, m: Uint32Array, sign: 1 | -1): void {
  for (let i = 0; i < y.length; i++) y[i] = (sign === 1 ? y[i]! + m[i]! : y[i]! - m[i]!) >>> 0;
}
