import type { DataClass, DeviceConfig, PowerMode } from '@outpost/protocols';

// The hub's data layer as small interfaces. The embedded default implements them over SQLite
// (store/sqlite/); a scaled-out hub implements the same ones over PostgreSQL with the same callers.

export interface GatewayRecord {
  id: string;
  /** The tenant that owns the gateway and everything it synced (the tenant of its enrollment token). */
  tenantId: string;
  name: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  softwareVersion: string;
  protocolVersion: number | null;
  revokedAt: number | null;
  connected: boolean;
  ackedSeq: number;
  duplicatesSkipped: number;
  quarantined: number;
  batches: number;
  backlogRecords: number | null;
  backlogOldestMs: number | null;
  clockTrusted: boolean | null;
  /** The gateway's power mode (performance, balanced, saver, critical) as it last reported it; null: never reported. */
  powerMode: PowerMode | null;
  /** True when that mode comes from simulated readings, not the gateway's hardware. */
  powerSimulated: boolean | null;
  /** When the gateway entered the mode (its clock), and when the hub heard of it (hub clock). */
  powerSinceMs: number | null;
  powerReportedAt: number | null;
}

/** A gateway's power mode, from Hello or a PowerStatus message. */
export interface PowerInfo {
  mode: PowerMode;
  simulated: boolean;
  sinceMs: number;
}

export interface HelloInfo {
  protocolVersion: number;
  softwareVersion: string;
  backlogRecords: number;
  backlogOldestMs: number;
  clockTrusted: boolean;
  /** Absent: the gateway reported no power mode (an older gateway, or none yet); the stored one stays. */
  power?: PowerInfo | null;
}

export interface EnrollmentStore {
  /** A new one-time token; only its hash is stored. The gateway it enrolls belongs to `tenantId` (default: `default`). */
  createToken(ttlMs: number, nowMs: number, tenantId?: string): { token: string; expiresAt: number };
  /**
   * Trade a token for a new gateway and its credential (shown once); null when the token is unknown, used
   * or expired. A used token is accepted again only with the same non-empty `requestId`, before expiry, for
   * a gateway that never connected: the first response was lost, so the gateway gets a new secret.
   */
  enroll(token: string, gateway: { name: string; softwareVersion: string; requestId?: string }, nowMs: number): { gatewayId: string; credential: string } | null;
  /** The gateway a credential belongs to, or null when it is unknown or malformed. */
  authenticate(credential: string): { gatewayId: string; revoked: boolean } | null;
}

export interface FleetStore {
  /** Every gateway, or only those of one tenant. */
  list(tenantId?: string): GatewayRecord[];
  get(id: string): GatewayRecord | undefined;
  /** Revoke a gateway (idempotent: the first revocation time stays); undefined when unknown. */
  revoke(id: string, nowMs: number): GatewayRecord | undefined;
  /** Ids of gateways revoked at or after `sinceMs` (how a hub learns of revocations made by other processes). */
  revokedSince(sinceMs: number): string[];
  recordHello(id: string, hello: HelloInfo, nowMs: number): void;
  /** A power mode the gateway reported while connected; the newest wins. */
  recordPower(id: string, power: PowerInfo, nowMs: number): void;
  setConnected(id: string, connected: boolean): void;
  /** After a restart no stream is live. */
  resetConnected(): void;
}

export interface IncomingRecord {
  seq: number;
  /** The proto enum value. */
  dataClass: number;
  hlcWallMs: number;
  hlcLogical: number;
  payload: Buffer;
}

export interface ApplyContext {
  /** False when the session's Hello clock was implausible: every record is stored untrusted. */
  sessionClockTrusted: boolean;
  clockToleranceMs: number;
  nowMs: number;
}

export type BatchOutcome =
  | {
      kind: 'applied';
      ackedSeq: number;
      applied: Partial<Record<DataClass, number>>;
      duplicates: number;
      quarantined: { seq: number; detail: string }[];
    }
  | { kind: 'sequence'; ackedSeq: number; expectedSeq: number; gotSeq: number };

export interface SyncCounts {
  appliedSeq: number;
  duplicatesSkipped: number;
  quarantined: number;
  batches: number;
  /** Records applied per data class (quarantined records excluded). */
  records: Record<DataClass, number>;
  /** Rows the class's table holds now (upserts and retention make it smaller than `records`). */
  rows: Record<DataClass, number>;
}

export interface SyncStore {
  /** Highest contiguous seq applied for the gateway (0 when none). */
  ackedSeq(gatewayId: string): number;
  /** Apply one batch atomically: duplicates skipped, the rest must continue the sequence. */
  applyBatch(gatewayId: string, records: readonly IncomingRecord[], context: ApplyContext): BatchOutcome;
  /**
   * Apply several batches (of one or more gateways, in order) with one commit. Each batch stays
   * all-or-nothing: one that fails is rolled back alone and reported as its Error; the others commit.
   */
  applyBatches(jobs: readonly ApplyJob[]): (BatchOutcome | Error)[];
  counts(gatewayId: string): SyncCounts;
}

export interface ApplyJob {
  gatewayId: string;
  records: readonly IncomingRecord[];
  context: ApplyContext;
}

export interface Shadow {
  deviceId: string;
  desired: DeviceConfig | null;
  desiredVersion: number;
  desiredUpdatedAt: number | null;
  reported: { state: Record<string, unknown>; ts: number; seq: number; wallTimeTrusted: boolean } | null;
}

export interface DesiredChange {
  changeSeq: number;
  deviceId: string;
  version: number;
  config: DeviceConfig;
}

/** A desired device config as an operator writes it: a deviceConfig message without `v` and `configVersion`. */
export interface DesiredConfigInput {
  reporting?: { intervalMs: number; mode?: 'periodic' | 'adaptive' };
  props?: Record<string, unknown>;
}

export interface ShadowStore {
  /** Store a new desired config and bump the version; returns the new shadow. */
  setDesired(gatewayId: string, deviceId: string, config: DesiredConfigInput, nowMs: number): Shadow;
  get(gatewayId: string, deviceId: string): Shadow;
  /** Desired states changed after `afterChangeSeq`, oldest change first. */
  desiredAfter(gatewayId: string, afterChangeSeq: number, limit: number): DesiredChange[];
  /** Latest reported state of every device of the gateway. */
  devices(gatewayId: string): { deviceId: string; ts: number; seq: number; state: Record<string, unknown>; wallTimeTrusted: boolean; receivedAt: number }[];
}

export const FINAL_COMMAND_STATUSES = ['ok', 'error', 'rejected', 'expired'] as const;
export const COMMAND_STATUSES = ['pending', 'delivered', ...FINAL_COMMAND_STATUSES] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export interface CommandRecord {
  commandId: string;
  /** Store order; the stream's cursor for "sent in this session". */
  rowId: number;
  gatewayId: string;
  deviceId: string;
  name: string;
  args: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  status: CommandStatus;
  sentCount: number;
  updatedAt: number;
  result: unknown;
}

export interface CommandStore {
  create(gatewayId: string, deviceId: string, command: { name: string; args: Record<string, unknown>; ttlMs: number }, nowMs: number): CommandRecord;
  get(gatewayId: string, commandId: string): CommandRecord | undefined;
  list(gatewayId: string, options: { deviceId?: string; limit: number }): CommandRecord[];
  pendingCount(gatewayId: string): number;
  /** Pending, unexpired commands with a rowId above the cursor, oldest first. */
  pendingAfter(gatewayId: string, afterRowId: number, nowMs: number, limit: number): CommandRecord[];
  markSent(commandIds: readonly string[]): void;
  /** Record a status the gateway reported; a final status is never replaced by `delivered`. */
  report(gatewayId: string, commandId: string, status: string, result: unknown, nowMs: number): boolean;
  /** Mark pending commands past their expiry as expired; returns how many. */
  expire(nowMs: number): number;
}

export interface HubQueries {
  alerts(gatewayId: string, options: { limit: number; after?: number }): Record<string, unknown>[];
  summaries(gatewayId: string, options: { deviceId?: string; metric?: string; limit: number }): Record<string, unknown>[];
  quarantine(gatewayId: string, limit: number): Record<string, unknown>[];
  /** Alerts of the whole fleet, newest received first; `before` is the `id` of the last one of the previous page. */
  fleetAlerts(options: { limit: number; before?: number; gatewayId?: string; deviceId?: string; severity?: string; tenantId?: string }): Record<string, unknown>[];
}

/** The tenant every gateway enrolled before tenants existed belongs to; it cannot be removed. */
export const DEFAULT_TENANT = 'default';

/** What an API token may do (docs/tenants.md): viewer reads; auditor reads more; operator changes; admin manages tokens. */
export const API_ROLES = ['viewer', 'auditor', 'operator', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: number;
}

export interface ApiTokenRecord {
  id: string;
  tenantId: string;
  role: ApiRole;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface TenantStore {
  /** A new tenant; null when the id is taken. */
  create(id: string, name: string, nowMs: number): TenantRecord | null;
  get(id: string): TenantRecord | undefined;
  list(): TenantRecord[];
  /** A new API token of the tenant; the token is returned once, only its SHA-256 is stored. */
  createApiToken(tenantId: string, role: ApiRole, name: string, nowMs: number): { token: string; record: ApiTokenRecord };
  getApiToken(id: string): ApiTokenRecord | undefined;
  /** Tokens of one tenant, or of every tenant; newest first. */
  listApiTokens(tenantId?: string): ApiTokenRecord[];
  /** Revoke (idempotent: the first revocation time stays); undefined when unknown. */
  revokeApiToken(id: string, nowMs: number): ApiTokenRecord | undefined;
  /** The token's record (revoked ones too: the caller refuses them), or undefined when unknown. */
  findApiToken(token: string): ApiTokenRecord | undefined;
}

export interface HubStore {
  readonly hubId: string;
  tenants: TenantStore;
  enrollment: EnrollmentStore;
  fleet: FleetStore;
  sync: SyncStore;
  shadows: ShadowStore;
  commands: CommandStore;
  queries: HubQueries;
  /** Age out raw readings; returns how many rows were deleted. */
  runRetention(nowMs: number): number;
  close(): void;
}
