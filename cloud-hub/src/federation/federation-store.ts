import type { Db } from '../store/sqlite/database.js';

export type FederationStatus = 'running' | 'completed' | 'stopped' | 'failed';

export interface FederationRow {
  id: string;
  /** The tenant that owns it: only that tenant's gateways are offered its rounds. */
  tenantId: string;
  name: string;
  /** The validated configuration as JSON. */
  config: unknown;
  status: FederationStatus;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What one round did; aggregate figures only (never one gateway's update). */
export interface RoundSummary {
  candidates: number;
  offered: number;
  eligible: number;
  selected: number;
  completed: number;
  dropped: number;
  /** Replies with an error code, by code (E_FL_TRAINING_NOT_ALLOWED, …). */
  refusals: Record<string, number>;
  /** Replies that arrived after their phase was over, or malformed. */
  lateOrInvalid: number;
  secureAggregation: boolean;
  /** L2 norm of the aggregated update, before the server optimizer. */
  aggregateNorm: number | null;
  /** Sample-weighted mean of the local training losses the gateways reported. */
  meanLoss: number | null;
  auc: number | null;
  noiseMultiplier: number;
  samplingRate: number;
  epsilon: number | null;
  delta: number | null;
  bytesDown: number;
  bytesUp: number;
  /** bytesDown + bytesUp per selected gateway. */
  bytesPerGateway: number;
}

export interface RoundRecord {
  round: number;
  status: 'completed' | 'failed';
  reason: string | null;
  summary: RoundSummary;
  startedAt: number;
  endedAt: number;
}

export interface Checkpoint {
  round: number;
  /** base64 float32 of the global parameters. */
  globalParams: string;
  optimizerState: Record<string, unknown>;
  savedAt: number;
}

/** The federation tables of the hub's database (migration 4). */
export interface FederationStore {
  create(row: Omit<FederationRow, 'updatedAt' | 'reason'>, checkpoint: Checkpoint): void;
  get(id: string): FederationRow | undefined;
  /** Every federation, or those of one tenant. */
  list(tenantId?: string): FederationRow[];
  setStatus(id: string, status: FederationStatus, reason: string | null, nowMs: number): void;
  checkpoint(id: string): Checkpoint | undefined;
  /** One transaction: the round's history row and the checkpoint after it. */
  finishRound(id: string, round: RoundRecord, checkpoint: Checkpoint): void;
  rounds(id: string): RoundRecord[];
}

export function createSqliteFederationStore(db: Db): FederationStore {
  const insertFederation = db.prepare('INSERT INTO federations (id, tenant_id, name, config, status, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)');
  const upsertCheckpoint = db.prepare(
    'INSERT INTO federation_checkpoints (federation_id, round, global_params, optimizer_state, saved_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (federation_id) DO UPDATE SET round = excluded.round, global_params = excluded.global_params, optimizer_state = excluded.optimizer_state, saved_at = excluded.saved_at',
  );
  const selectFederation = db.prepare<[string], DbFederation>('SELECT * FROM federations WHERE id = ?');
  const selectAll = db.prepare<[], DbFederation>('SELECT * FROM federations ORDER BY created_at, id');
  const selectTenant = db.prepare<[string], DbFederation>('SELECT * FROM federations WHERE tenant_id = ? ORDER BY created_at, id');
  const updateStatus = db.prepare('UPDATE federations SET status = ?, reason = ?, updated_at = ? WHERE id = ?');
  const selectCheckpoint = db.prepare<[string], DbCheckpoint>('SELECT * FROM federation_checkpoints WHERE federation_id = ?');
  const insertRound = db.prepare('INSERT OR REPLACE INTO federation_rounds (federation_id, round, status, reason, summary, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const selectRounds = db.prepare<[string], DbRound>('SELECT * FROM federation_rounds WHERE federation_id = ? ORDER BY round');

  const saveCheckpoint = (id: string, c: Checkpoint) => upsertCheckpoint.run(id, c.round, c.globalParams, JSON.stringify(c.optimizerState), c.savedAt);

  return {
    create: db.transaction((row: Omit<FederationRow, 'updatedAt' | 'reason'>, checkpoint: Checkpoint) => {
      insertFederation.run(row.id, row.tenantId, row.name, JSON.stringify(row.config), row.status, row.createdAt, row.createdAt);
      saveCheckpoint(row.id, checkpoint);
    }),
    get: (id) => {
      const r = selectFederation.get(id);
      return r ? toFederation(r) : undefined;
    },
    list: (tenantId) => (tenantId === undefined ? selectAll.all() : selectTenant.all(tenantId)).map(toFederation),
    setStatus: (id, status, reason, nowMs) => void updateStatus.run(status, reason, nowMs, id),
    checkpoint: (id) => {
      const r = selectCheckpoint.get(id);
      return r ? { round: r.round, globalParams: r.global_params, optimizerState: JSON.parse(r.optimizer_state) as Record<string, unknown>, savedAt: r.saved_at } : undefined;
    },
    finishRound: db.transaction((id: string, round: RoundRecord, checkpoint: Checkpoint) => {
      insertRound.run(id, round.round, round.status, round.reason, JSON.stringify(round.summary), round.startedAt, round.endedAt);
      saveCheckpoint(id, checkpoint);
    }),
    rounds: (id) =>
      selectRounds.all(id).map((r) => ({ round: r.round, status: r.status as RoundRecord['status'], reason: r.reason, summary: JSON.parse(r.summary) as RoundSummary, startedAt: r.started_at, endedAt: r.ended_at })),
  };
}

interface DbFederation {
  id: string;
  tenant_id: string;
  name: string;
  config: string;
  status: string;
  reason: string | null;
  created_at: number;
  updated_at: number;
}
interface DbCheckpoint {
  round: number;
  global_params: string;
  optimizer_state: string;
  saved_at: number;
}
interface DbRound {
  round: number;
  status: string;
  reason: string | null;
  summary: string;
  started_at: number;
  ended_at: number;
}

const toFederation = (r: DbFederation): FederationRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  config: JSON.parse(r.config) as unknown,
  status: r.status as FederationStatus,
  reason: r.reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
