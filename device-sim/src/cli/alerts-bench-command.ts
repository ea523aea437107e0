import type { Command } from 'commander';
import { MARK_RULE } from '../bench/alert-latency-match.js';
import { runAlertLatencyBench } from '../bench/run-alert-latency-bench.js';
import { integerIn, numberAtLeast } from './option-parsers.js';

/** What `bench-command.ts` shares with each bench: its log, its report writer and its Ctrl-C signal. */
export interface BenchIo {
  log: (line: string) => void;
  writeReport: (name: string, out: string | undefined, body: Record<string, unknown>) => Promise<void>;
  abortOnSigint: () => AbortSignal;
}

interface AlertsFlags {
  rate: number;
  seconds: number;
  devices: number;
  markEvery: number;
  warmupSeconds: number;
  rounds: number;
  alertWaitSeconds: number;
  out?: string;
}

export function registerAlertsBench(bench: Command, io: BenchIo): void {
  const alerts = bench
    .command('alerts')
    .description('p99 latency from a reading\'s PUBACK to its alert, end to end through the gateway and edge-runtime (QoS 1, a threshold rule); peer: the same load with the runtime off')
    .option('--rate <n>', 'readings per second over all devices', numberAtLeast(1), 10_000)
    .option('--seconds <s>', 'measured seconds per phase', integerIn(1, 3600), 20)
    .option('--devices <n>', 'devices (one MQTT connection each)', integerIn(1, 10_000), 100)
    .option('--mark-every <k>', 'every k-th reading of each device is above the rule\'s threshold', integerIn(2, 1_000_000), 100)
    .option('--warmup-seconds <s>', 'unmeasured publishing before each phase', integerIn(0, 600), 5)
    .option('--rounds <n>', 'rounds of (runtime off, runtime on), alternating the order', integerIn(1, 20), 1)
    .option('--alert-wait-seconds <s>', 'after the last PUBACK, how long to wait for missing alerts', integerIn(1, 600), 10)
    .option('--out <file>', 'JSON report path')
    .addHelpText(
      'after',
      `
The gateway runs with edge-runtime and a rules file holding one threshold rule (${MARK_RULE.metric} ${MARK_RULE.op} ${MARK_RULE.value},
cooldownMs ${MARK_RULE.cooldownMs}); every k-th reading of each device is ${MARK_RULE.metric} = 140, so each marked reading raises
one rule alert. An internal MQTT client subscribed to local/v1/alerts sees each alert once the gateway
stored it; latency = that arrival − the marked reading's PUBACK at its device. Model alerts (autoencoder,
online detector) that name a reading of the run are reported too. Loopback only; every step is bounded.

Examples:
  outpost-sim bench alerts                                   # 10k readings/s, 20 s per phase
  outpost-sim bench alerts --rate 2000 --seconds 20 --rounds 3`,
    );
  alerts.action(async (f: AlertsFlags) => {
    const startedAt = new Date().toISOString();
    io.log(`alerts bench: ${f.devices} devices, ${f.rate} readings/s in all (QoS 1), every ${f.markEvery}th reading marked, ${f.rounds} round(s) of ${f.seconds} s per phase`);
    const result = await runAlertLatencyBench({ devices: f.devices, ratePerSec: f.rate, seconds: f.seconds, warmupSeconds: f.warmupSeconds, markEvery: f.markEvery, rounds: f.rounds, alertWaitMs: f.alertWaitSeconds * 1000, log: io.log, signal: io.abortOnSigint() });
    const { on, off } = result.medians;
    io.log(`runtime on: ${on.readingsPerSec} readings/s; PUBACK → rule alert p50 ${on.ruleP50Ms} ms, p99 ${on.ruleP99Ms} ms (pooled p99 ${result.pooled.ruleMs?.p99 ?? '—'} ms, target ≤ ${result.target.ruleP99Ms})`);
    io.log(`PUBACK latency p50 / p99: runtime on ${on.pubackP50Ms} / ${on.pubackP99Ms} ms, off ${off.pubackP50Ms} / ${off.pubackP99Ms} ms (on ÷ off ×${result.ratios.pubackP50} / ×${result.ratios.pubackP99})`);
    await io.writeReport('alerts', f.out, { startedAt, finishedAt: new Date().toISOString(), settings: { ...f, qos: 1, rule: MARK_RULE }, ...result });
  });
}
