import { pino } from 'pino';

/** The last `maxLines` log lines in memory, for the diagnostics page. Oldest lines drop first. */
export function createLogRing(maxLines = 500) {
  const lines: string[] = [];
  return {
    /** A pino destination: one JSON line per call. */
    write(line: string): void {
      lines.push(line.length > 4000 ? `${line.slice(0, 4000)}…` : line.trimEnd());
      if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
    },
    recent(limit: number): string[] {
      return lines.slice(-limit);
    },
  };
}

export type LogRing = ReturnType<typeof createLogRing>;

/** The root logger's destination with the UI's ring buffer teed in: JSON lines still go to stdout. */
export function teeToLogRing(ring: LogRing) {
  return pino.multistream([
    { level: 'trace', stream: pino.destination(1) },
    { level: 'trace', stream: ring },
  ]);
}
