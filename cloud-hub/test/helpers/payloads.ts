import type { DataClass } from '@outpost/protocols';
import { type TestRecord, record } from './sync-client.js';

const BASE_MS = 1_700_000_000_000;

/** A valid payload of each class for seq n; every seq gives its own row (own alertId, own summary window). */
export function payloadFor(dataClass: DataClass, seq: number): unknown {
  const deviceId = `dev-${seq % 5}`;
  const ts = BASE_MS + seq * 1000;
  switch (dataClass) {
    case 'alert':
      return { v: 1, alertId: `alert-${seq}`, deviceId, ts, source: 'rule', kind: 'threshold', severity: 'warning', score: 0.9, threshold: 0.5 };
    case 'summary':
      return { v: 1, deviceId, metric: 'temp', windowStartMs: BASE_MS + seq * 60_000, windowMs: 60_000, count: 3, min: 1, max: 3, mean: 2, last: 3, stddev: 0.8 };
    case 'deviceState':
      return { v: 1, deviceId, ts, state: { seq, mode: 'on' } };
    case 'event':
      return { v: 1, deviceId, ts, type: 'door', severity: 'info' };
    case 'commandResult':
      return { v: 1, deviceId, commandId: `cmd-${seq}`, status: 'ok' };
    case 'usage':
      return { v: 1, periodStartMs: ts, periodMs: 60_000, meter: 'messages', quantity: seq };
    case 'audit':
      return { v: 1, ts, actor: 'tech', action: 'login', target: 'ui' };
    case 'rawReading':
      return { v: 1, deviceId, ts, metrics: { temp: seq } };
  }
}

const MIX: DataClass[] = ['summary', 'alert', 'summary', 'event', 'summary', 'rawReading', 'audit', 'usage'];

/** The class the mixed workload gives seq n. */
export const classOf = (seq: number): DataClass => MIX[seq % MIX.length]!;

/** Records from..to (inclusive) of the mixed workload. */
export function mixedRecords(from: number, to: number, wallMs?: (seq: number) => number): TestRecord[] {
  const out: TestRecord[] = [];
  for (let seq = from; seq <= to; seq++) out.push(record(seq, classOf(seq), payloadFor(classOf(seq), seq), wallMs?.(seq)));
  return out;
}

/** How many records of each class the mixed workload sends for seqs 1..n. */
export function expectedCounts(n: number): Partial<Record<DataClass, number>> {
  const counts: Partial<Record<DataClass, number>> = {};
  for (let seq = 1; seq <= n; seq++) counts[classOf(seq)] = (counts[classOf(seq)] ?? 0) + 1;
  return counts;
}
