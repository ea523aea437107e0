import { ModelError } from '../../errors.js';
import { agree, deriveKey, KEY_BYTES, pairLabel, prgWords, privateKeyFromRaw, SELF_MASK_LABEL } from './crypto-primitives.js';
import {
  checkAdvertisement,
  checkConfig,
  checkEncryptedShare,
  checkEnvelope,
  checkShareList,
  MAX_SECAGG_CLIENTS,
  type SecAggAdvertisement,
  type SecAggConfig,
  type SecAggEncryptedShare,
  type SecAggMaskedInput,
  type SecAggShare,
  type SecAggUnmaskShares,
} from './messages.js';
import { base64ToWords, dequantiseSum } from './quantisation.js';
import { addInto } from './secagg-client.js';
import { combineShares, decodeFieldElement } from './shamir.js';

/** Everything the server holds for a round, for inspection (tests, audits): never an update in the clear. */
export interface SecAggServerHoldings {
  advertisements: SecAggAdvertisement[];
  shares: SecAggEncryptedShare[];
  maskedInputs: SecAggMaskedInput[];
  unmaskShares: SecAggUnmaskShares[];
}

/** A client whose message was refused, and why: the coordinator logs these. */
export interface SecAggProblem {
  clientId: string;
  code: string;
  detail: string;
}

type Stage = 'advertising' | 'sharing' | 'masking' | 'unmasking' | 'done';


const fail = (detail: string) => new ModelError('MODEL_ERR_SECAGG_MESSAGE', detail);
const tooFew = (detail: string) => new ModelError('MODEL_ERR_SECAGG_THRESHOLD', detail);

/**
 * The server's side of one round: collects advertisements, freezes the roster, routes encrypted shares
 * (once, after its deadline), collects masked inputs, freezes the survivors, collects unmasking shares and
 * computes the sum. Stages only move forward; each method says which stage it belongs to. It never sees a
 * share in the clear nor an input without its masks, and below the threshold it refuses rather than guess.
 */
export class SecAggServer {
  private readonly cfg: SecAggConfig;
  private stage: Stage = 'advertising';
  private readonly ads = new Map<string, SecAggAdvertisement>();
  private xOf = new Map<string, number>();
  private routed: SecAggEncryptedShare[] = [];
  /** U1: clients whose complete set of shares was routed. */
  private sharers = new Set<string>();
  private readonly masked = new Map<string, SecAggMaskedInput>();
  private frozenSurvivors: string[] = [];
  private frozenDropped: string[] = [];
  private readonly unmasking = new Map<string, SecAggUnmaskShares>();
  private readonly refused: SecAggProblem[] = [];
  private computed: { mean: Float32Array; totalWeight: number; survivors: string[] } | undefined;

  constructor(cfg: SecAggConfig) {
    checkConfig(cfg);
    this.cfg = { ...cfg };
  }

  /** Stage advertising. A second advertisement from the same client, or one past the bound, is refused. */
  addAdvertisement(a: SecAggAdvertisement): void {
    this.expect('advertising', 'addAdvertisement');
    checkAdvertisement(a, this.cfg.roundId);
    if (this.ads.has(a.clientId)) throw fail(`${a.clientId} advertised twice`);
    if (this.ads.size >= MAX_SECAGG_CLIENTS) throw fail(`more than ${MAX_SECAGG_CLIENTS} clients in one round`);
    this.ads.set(a.clientId, { v: a.v, roundId: a.roundId, clientId: a.clientId, cPublicKey: a.cPublicKey, sPublicKey: a.sPublicKey });
  }

  /** Ends advertising: the roster, sorted by client id, to send to every advertiser. Throws below the threshold. */
  roster(): SecAggAdvertisement[] {
    if (this.stage === 'advertising') {
      if (this.ads.size < this.cfg.threshold) throw tooFew(`${this.ads.size} advertisements, threshold ${this.cfg.threshold}`);
      this.stage = 'sharing';
      [...this.ads.keys()].sort().forEach((id, i) => this.xOf.set(id, i + 1));
    }
    return [...this.ads.keys()].sort().map((id) => ({ ...this.ads.get(id)! }));
  }

  /**
   * Stage sharing, called once with every share that arrived before the deadline. A sender counts (is in
   * U1) only if it sent exactly one valid share to each other roster member; the others are refused and
   * listed in problems(). Shares go only to recipients in U1, so every client's masks cancel.
   */
  routeShares(shares: readonly SecAggEncryptedShare[]): Map<string, SecAggEncryptedShare[]> {
    this.expect('sharing', 'routeShares');
    const bySender = new Map<string, SecAggEncryptedShare[]>();
    const invalid = new Set<string>();
    for (const s of shares) {
      try {
        checkEncryptedShare(s, this.cfg.roundId);
        if (!this.ads.has(s.clientId)) throw fail(`share from ${s.clientId}, not in the roster`);
        if (!this.ads.has(s.recipientId)) throw fail(`share from ${s.clientId} to ${s.recipientId}, not in the roster`);
        (bySender.get(s.clientId) ?? bySender.set(s.clientId, []).get(s.clientId)!).push({ v: s.v, roundId: s.roundId, clientId: s.clientId, recipientId: s.recipientId, ciphertext: s.ciphertext });
      } catch (err) {
        const id = typeof (s as { clientId?: unknown })?.clientId === 'string' ? (s as { clientId: string }).clientId : '?';
        invalid.add(id);
        this.problem(id, err);
      }
    }
    for (const [sender, list] of bySender) {
      const recipients = new Set(list.map((s) => s.recipientId));
      if (invalid.has(sender)) continue;
      if (list.length !== this.ads.size - 1 || recipients.size !== list.length) {
        this.problem(sender, fail(`${sender} sent ${list.length} shares to ${recipients.size} recipients; ${this.ads.size - 1} expected`));
        continue;
      }
      this.sharers.add(sender);
    }
    if (this.sharers.size < this.cfg.threshold) throw tooFew(`${this.sharers.size} clients shared keys, threshold ${this.cfg.threshold}`);
    this.stage = 'masking';
    const out = new Map<string, SecAggEncryptedShare[]>([...this.sharers].sort().map((id) => [id, []]));
    for (const sender of [...this.sharers].sort()) {
      for (const s of bySender.get(sender)!) {
        if (!this.sharers.has(s.recipientId)) continue;
        out.get(s.recipientId)!.push(s);
        this.routed.push(s);
      }
    }
    return out;
  }

  /** Stage masking: one masked input per client of U1. */
  addMaskedInput(m: SecAggMaskedInput): void {
    this.expect('masking', 'addMaskedInput');
    checkEnvelope(m, this.cfg.roundId, 'masked input');
    if (!this.sharers.has(m.clientId)) throw fail(`masked input from ${m.clientId}, who did not share keys`);
    if (this.masked.has(m.clientId)) throw fail(`${m.clientId} sent two masked inputs`);
    base64ToWords(m.masked, this.cfg.vectorLength + 1);
    this.masked.set(m.clientId, { v: m.v, roundId: m.roundId, clientId: m.clientId, masked: m.masked });
  }

  /** Ends masking (later inputs are refused): the clients whose masked input arrived. Throws below the threshold. */
  survivors(): string[] {
    this.freezeMasking();
    return [...this.frozenSurvivors];
  }

  /** Ends masking like survivors(): the clients that shared keys but sent no masked input. */
  dropped(): string[] {
    this.freezeMasking();
    return [...this.frozenDropped];
  }

  /** Stage unmasking: a survivor's shares, exactly one per survivor (of b) and per dropped client (of its s key). */
  addUnmaskShares(u: SecAggUnmaskShares): void {
    this.freezeMasking();
    this.expect('unmasking', 'addUnmaskShares');
    checkEnvelope(u, this.cfg.roundId, 'unmask shares');
    if (!this.frozenSurvivors.includes(u.clientId)) throw fail(`unmask shares from ${u.clientId}, not a survivor`);
    if (this.unmasking.has(u.clientId)) throw fail(`${u.clientId} sent unmask shares twice`);
    checkShareList('selfMaskShares', u.selfMaskShares);
    checkShareList('keyShares', u.keyShares);
    const x = this.xOf.get(u.clientId)!;
    const exactly = (list: SecAggShare[], ids: string[], what: string) => {
      const owners = list.map((s) => s.ownerId).sort();
      if (owners.length !== ids.length || owners.some((o, i) => o !== ids[i])) throw fail(`${u.clientId}: ${what} shares are not exactly one per ${what === 'self-mask' ? 'survivor' : 'dropped client'}`);
      for (const s of list) {
        if (s.x !== x) throw fail(`${u.clientId}: a share at x ${s.x}, its position is ${x}`);
        decodeFieldElement(s.y);
      }
    };
    exactly(u.selfMaskShares, this.frozenSurvivors, 'self-mask');
    exactly(u.keyShares, this.frozenDropped, 'key');
    this.unmasking.set(u.clientId, { v: u.v, roundId: u.roundId, clientId: u.clientId, selfMaskShares: u.selfMaskShares.map((s) => ({ ...s })), keyShares: u.keyShares.map((s) => ({ ...s })) });
  }

  /**
   * The weighted mean of the survivors' updates and their total weight: Σ y_u − Σ PRG(b_u) ∓ the dropped
   * clients' pairwise masks (from their reconstructed s keys). Throws (code) below the threshold.
   */
  result(): { mean: Float32Array; totalWeight: number; survivors: string[] } {
    if (this.computed) return { mean: this.computed.mean.slice(), totalWeight: this.computed.totalWeight, survivors: [...this.computed.survivors] };
    this.freezeMasking();
    if (this.unmasking.size < this.cfg.threshold) throw tooFew(`${this.unmasking.size} clients sent unmask shares, threshold ${this.cfg.threshold}`);
    const words = this.cfg.vectorLength + 1;
    const sum = new Uint32Array(words);
    for (const id of this.frozenSurvivors) addInto(sum, base64ToWords(this.masked.get(id)!.masked, words), 1);
    const shareOf = (owner: string, kind: 'selfMaskShares' | 'keyShares') =>
      [...this.unmasking.values()].map((u) => {
        const s = u[kind].find((q) => q.ownerId === owner)!;
        return { x: s.x, y: decodeFieldElement(s.y) };
      });
    for (const id of this.frozenSurvivors) {
      const seed = combineShares(shareOf(id, 'selfMaskShares'), this.cfg.threshold, KEY_BYTES);
      addInto(sum, prgWords(deriveKey(seed, this.cfg.roundId, SELF_MASK_LABEL), words), -1);
    }
    for (const v of this.frozenDropped) {
      const sKey = privateKeyFromRaw(combineShares(shareOf(v, 'keyShares'), this.cfg.threshold, KEY_BYTES));
      for (const u of this.frozenSurvivors) {
        const mask = prgWords(deriveKey(agree(sKey, Buffer.from(this.ads.get(u)!.sPublicKey, 'base64')), this.cfg.roundId, pairLabel('pair-mask', u, v)), words);
        // Survivor u added +mask if u < v, −mask otherwise: take it back out.
        addInto(sum, mask, u < v ? -1 : 1);
      }
    }
    const { mean, totalWeight } = dequantiseSum(sum, this.cfg);
    this.stage = 'done';
    this.computed = { mean, totalWeight, survivors: [...this.frozenSurvivors] };
    return { mean: mean.slice(), totalWeight, survivors: [...this.frozenSurvivors] };
  }

  /** Messages refused so far (sender, code, detail), e.g. an incomplete set of shares. */
  problems(): SecAggProblem[] {
    return this.refused.map((p) => ({ ...p }));
  }

  /** Copies of everything held: what a test or an audit inspects. */
  holdings(): SecAggServerHoldings {
    return {
      advertisements: [...this.ads.values()].map((a) => ({ ...a })),
      shares: this.routed.map((s) => ({ ...s })),
      maskedInputs: [...this.masked.values()].map((m) => ({ ...m })),
      unmaskShares: [...this.unmasking.values()].map((u) => ({ ...u, selfMaskShares: u.selfMaskShares.map((s) => ({ ...s })), keyShares: u.keyShares.map((s) => ({ ...s })) })),
    };
  }

  private freezeMasking(): void {
    if (this.stage !== 'masking') return;
    const survivors = [...this.masked.keys()].sort();
    if (survivors.length < this.cfg.threshold) throw tooFew(`${survivors.length} masked inputs, threshold ${this.cfg.threshold}`);
    this.frozenSurvivors = survivors;
    this.frozenDropped = [...this.sharers].filter((id) => !this.masked.has(id)).sort();
    this.stage = 'unmasking';
  }

  private expect(stage: Stage, method: string): void {
    if (this.stage !== stage) throw fail(`${method} called at stage ${this.stage}`);
  }

  private problem(clientId: string, err: unknown): void {
    // Bounded by the roster: at most one entry per share offered, and shares are bounded by roster².
    this.refused.push({ clientId, code: err instanceof ModelError ? err.code : 'MODEL_ERR_SECAGG_MESSAGE', detail: err instanceof Error ? err.message : String(err) });
  }
}
