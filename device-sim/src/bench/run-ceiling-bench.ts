import { median } from '../load/load-stats.js';
import { runDeviceLoad } from '../load/run-device-load.js';
import { startMosquitto } from './mosquitto.js';

export interface CeilingBenchOptions {
  devices: number;
  rounds: number;
  roundSeconds: number;
  inflightWindow: number;
  workers?: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface CeilingRound {
  round: number;
  qos: 0 | 1;
  workers: number;
  msgPerSec: number;
  p99Ms: number | null;
  errors: number;
}

export interface CeilingResult {
  rounds: CeilingRound[];
  /** Median msg/s by QoS (QoS 1: acked; QoS 0: sent). */
  medians: { qos0: number | null; qos1: number | null };
}

/** The generator as fast as it goes against Mosquitto alone (default config): what any other figure is bounded by. */
export async function runCeilingBench(o: CeilingBenchOptions): Promise<CeilingResult> {
  const broker = await startMosquitto();
  const rounds: CeilingRound[] = [];
  try {
    for (let round = 1; round <= o.rounds && !o.signal?.aborted; round++) {
      for (const qos of round % 2 === 1 ? ([1, 0] as const) : ([0, 1] as const)) {
        const r = await runDeviceLoad({ url: broker.url, count: o.devices, idPrefix: `ceil${round}q${qos}-`, qos, inflightWindow: o.inflightWindow, durationMs: o.roundSeconds * 1000, workers: o.workers, signal: o.signal });
        const row: CeilingRound = { round, qos, workers: Number(r.settings.workers), msgPerSec: r.msgPerSec.median, p99Ms: r.latencyMs?.p99 ?? null, errors: r.totals.errors };
        rounds.push(row);
        o.log(`round ${round} QoS ${qos}: ${row.msgPerSec} msg/s${row.p99Ms === null ? '' : `, p99 ${row.p99Ms} ms`}, errors ${row.errors}`);
      }
    }
  } finally {
    await broker.close();
  }
  const of = (qos: 0 | 1) => {
    const values = rounds.filter((r) => r.qos === qos).map((r) => r.msgPerSec);
    return values.length > 0 ? median(values) : null;
  };
  return { rounds, medians: { qos0: of(0), qos1: of(1) } };
}
