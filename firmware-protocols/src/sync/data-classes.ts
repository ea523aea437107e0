/**
 * Data classes of the outbox and their policies. Lower priority numbers are sent first.
 * `neverDropped`: kept whatever the disk budget says (new raw readings are refused first).
 */
export const DATA_CLASSES = {
  alert: { proto: 1, priority: 0, neverDropped: true, compaction: 'none' },
  audit: { proto: 2, priority: 1, neverDropped: true, compaction: 'none' },
  usage: { proto: 3, priority: 1, neverDropped: true, compaction: 'none' },
  commandResult: { proto: 7, priority: 2, neverDropped: true, compaction: 'none' },
  deviceState: { proto: 4, priority: 3, neverDropped: false, compaction: 'latest-per-device' },
  event: { proto: 6, priority: 4, neverDropped: false, compaction: 'none' },
  summary: { proto: 5, priority: 5, neverDropped: false, compaction: 'coarser-windows' },
  rawReading: { proto: 8, priority: 6, neverDropped: false, compaction: 'age-out' },
} as const;

export type DataClass = keyof typeof DATA_CLASSES;

export const DATA_CLASS_NAMES = Object.keys(DATA_CLASSES) as DataClass[];

const BY_PROTO = new Map<number, DataClass>(DATA_CLASS_NAMES.map((name) => [DATA_CLASSES[name].proto, name]));

/** The data class for a proto enum value, or undefined for unknown/unspecified values. */
export function dataClassFromProto(value: number): DataClass | undefined {
  return BY_PROTO.get(value);
}

/** Summary windows, finest first: under pressure, 1-minute summaries roll up into 15-minute ones, then hourly. */
export const SUMMARY_WINDOWS_MS = [60_000, 900_000, 3_600_000] as const;
export type SummaryWindowMs = (typeof SUMMARY_WINDOWS_MS)[number];
