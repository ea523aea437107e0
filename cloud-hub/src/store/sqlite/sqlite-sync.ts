import { DATA_CLASS_NAMES, type DataClass, dataClassFromProto, syncPayloadSchemas } from '@outpost/protocols';
import type { ApplyContext, ApplyJob, BatchOutcome, IncomingRecord, SyncCounts, SyncStore } from '../hub-store.js';
import type { Db } from './database.js';
import type { RecordAppliers } from './sqlite-record-appliers.js';

const QUARANTINE_PAYLOAD_BYTES = 64 * 1024;
/** A record stamped before this (2020-01-01) was made by a clock that had not been set. */
const MIN_PLAUSIBLE_WALL_MS = Date.UTC(2020, 0, 1);

const TABLES: Record<DataClass, string> = {
  alert: 'alerts',
  audit: 'audit_records',
  usage: 'usage_records',
  commandResult: 'command_results',
  deviceState: 'device_state',
  event: 'events',
  summary: 'summaries',
  rawReading: 'raw_readings',
};

type Checked = { ok: true; dataClass: DataClass; payload: unknown; json: string } | { ok: false; detail: string };

/** Parse and validate one record's payload against its class's schema. */
function check(record: IncomingRecord): Checked {
  const dataClass = dataClassFromProto(record.dataClass);
  if (!dataClass) return { ok: false, detail: `unknown data class ${record.dataClass}` };
  let value: unknown;
  const text = record.payload.toString('utf8');
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, detail: `${dataClass}: payload is not JSON (${(err as Error).message})` };
  }
  const result = syncPayloadSchemas[dataClass].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, detail: `${dataClass}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'}` };
  }
  // The schemas are strict and only a summary's has a default, so any other valid payload is stored as it
  // came: re-encoding the parsed value would cost as much as the parse and give the same JSON.
  return { ok: true, dataClass, payload: result.data, json: dataClass === 'summary' ? JSON.stringify(result.data) : text };
}

export function createSqliteSync(db: Db, appliers: RecordAppliers): SyncStore {
  const cursor = db.prepare<[string], { acked_seq: number }>('SELECT acked_seq FROM gateways WHERE id = ?');
  const advance = db.prepare(
    'UPDATE gateways SET acked_seq = ?, duplicates_skipped = duplicates_skipped + ?, quarantined = quarantined + ?, batches = batches + 1, last_seen_at = ? WHERE id = ?',
  );
  const bumpCount = db.prepare(
    'INSERT INTO sync_counts (gateway_id, data_class, records) VALUES (?, ?, ?) ON CONFLICT (gateway_id, data_class) DO UPDATE SET records = records + excluded.records',
  );
  const quarantine = db.prepare('INSERT INTO quarantine (gateway_id, seq, data_class, detail, payload, payload_bytes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const countsRow = db.prepare<[string], { acked_seq: number; duplicates_skipped: number; quarantined: number; batches: number }>(
    'SELECT acked_seq, duplicates_skipped, quarantined, batches FROM gateways WHERE id = ?',
  );
  const classCounts = db.prepare<[string], { data_class: string; records: number }>('SELECT data_class, records FROM sync_counts WHERE gateway_id = ?');
  const rowCounts = Object.fromEntries(
    DATA_CLASS_NAMES.map((c) => [c, db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${TABLES[c]} WHERE gateway_id = ?`)]),
  ) as Record<DataClass, ReturnType<typeof db.prepare<[string], { n: number }>>>;

  const apply = db.transaction((gatewayId: string, records: readonly IncomingRecord[], ctx: ApplyContext): BatchOutcome => {
    const start = cursor.get(gatewayId)?.acked_seq ?? 0;
    // First pass: the sequence. Nothing is written unless the whole batch continues it.
    let expected = start + 1;
    let duplicates = 0;
    for (const record of records) {
      if (record.seq <= start) duplicates++;
      else if (record.seq === expected) expected++;
      else return { kind: 'sequence', ackedSeq: start, expectedSeq: expected, gotSeq: record.seq };
    }
    const applied: Partial<Record<DataClass, number>> = {};
    const quarantined: { seq: number; detail: string }[] = [];
    const futureLimit = ctx.nowMs + ctx.clockToleranceMs;
    for (const record of records) {
      if (record.seq <= start) continue;
      const checked = check(record);
      if (!checked.ok) {
        quarantine.run(gatewayId, record.seq, record.dataClass, checked.detail, record.payload.subarray(0, QUARANTINE_PAYLOAD_BYTES), record.payload.length, ctx.nowMs);
        quarantined.push({ seq: record.seq, detail: checked.detail });
        continue;
      }
      const trusted = ctx.sessionClockTrusted && record.hlcWallMs <= futureLimit && record.hlcWallMs >= MIN_PLAUSIBLE_WALL_MS ? 1 : 0;
      const origin = { gatewayId, seq: record.seq, hlcWallMs: record.hlcWallMs, hlcLogical: record.hlcLogical, trusted, nowMs: ctx.nowMs } as const;
      (appliers[checked.dataClass] as (o: typeof origin, p: unknown, json: string) => void)(origin, checked.payload, checked.json);
      applied[checked.dataClass] = (applied[checked.dataClass] ?? 0) + 1;
    }
    for (const [dataClass, n] of Object.entries(applied)) bumpCount.run(gatewayId, dataClass, n);
    advance.run(expected - 1, duplicates, quarantined.length, ctx.nowMs, gatewayId);
    return { kind: 'applied', ackedSeq: expected - 1, applied, duplicates, quarantined };
  });

  const applyMany = db.transaction((jobs: readonly ApplyJob[]): (BatchOutcome | Error)[] =>
    jobs.map((job) => {
      try {
        return apply(job.gatewayId, job.records, job.context);
      } catch (err) {
        return err as Error;
      }
    }),
  );

  return {
    ackedSeq: (gatewayId) => cursor.get(gatewayId)?.acked_seq ?? 0,
    applyBatch: (gatewayId, records, context) => apply.immediate(gatewayId, records, context),
    // Each inner apply runs in a savepoint: a failing batch unwinds alone inside the one outer commit.
    applyBatches: (jobs) => applyMany.immediate(jobs),
    counts(gatewayId): SyncCounts {
      const row = countsRow.get(gatewayId);
      const records = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 0])) as Record<DataClass, number>;
      for (const r of classCounts.all(gatewayId)) records[r.data_class as DataClass] = r.records;
      const rows = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, rowCounts[c].get(gatewayId)?.n ?? 0])) as Record<DataClass, number>;
      return { appliedSeq: row?.acked_seq ?? 0, duplicatesSkipped: row?.duplicates_skipped ?? 0, quarantined: row?.quarantined ?? 0, batches: row?.batches ?? 0, records, rows };
    },
  };
}
