/**
 * `npm run bench:sync`: a gateway piles up a backlog of raw readings while its hub is down, then the hub comes
 * back and the drain is timed end to end (records applied at the hub per second), with a live alert raised
 * every 100 ms whose delivery latency (publish → applied at the hub) is measured from the first applied record on.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { integerIn } from '../cli/option-parsers.js';
import { benchEnvironment, writeJsonReport } from './bench-environment.js';
import { type LatencyStats, runSyncDrainBench } from './run-sync-drain-bench.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TARGET_RECORDS_PER_SEC = 50_000;
const TARGET_ALERT_P99_MS = 1_000;

interface Flags {
  records: number;
  devices: number;
  window: number;
  alertIntervalMs: number;
  cpuProf: boolean;
  keepData: boolean;
  out?: string;
}

const program = new Command('sync-drain-bench')
  .description('Sync drain benchmark: backlog of raw readings on a gateway while the hub is down, then time the drain and live alert latency')
  .option('--records <n>', 'raw readings in the backlog', integerIn(1_000, 10_000_000), 1_000_000)
  .option('--devices <n>', 'simulated devices building the backlog (QoS 1, as fast as acks allow)', integerIn(1, 1_000), 20)
  .option('--window <n>', 'in-flight QoS 1 publishes per device', integerIn(1, 1_000), 64)
  .option('--alert-interval-ms <ms>', 'a live alert every this many ms during the drain', integerIn(10, 60_000), 100)
  .option('--cpu-prof', 'write node --cpu-prof profiles of the gateway and the hub to .cache/bench/sync-prof/', false)
  .option('--keep-data', 'keep the gateway and hub data directories (deleted after the run by default)', false)
  .option('--out <file>', 'JSON report path (default: .cache/bench/sync-drain.json in the repository, git-ignored)')
  .addHelpText(
    'after',
    `
Examples:
  npm run bench:sync
  npm run bench:sync -- --records 100000
  npm run bench:sync -- --records 200000 --cpu-prof`,
  );

const fmt = (l: LatencyStats | null) => (l ? `p50 ${l.p50} ms  p99 ${l.p99} ms  max ${l.max} ms  (n=${l.count})` : 'none');

async function main(flags: Flags): Promise<void> {
  const startedAt = new Date();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const cpuProfDir = flags.cpuProf ? join(REPO_ROOT, '.cache/bench/sync-prof') : undefined;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  log(`sync drain bench: ${flags.records} records from ${flags.devices} devices (window ${flags.window}), an alert every ${flags.alertIntervalMs} ms during the drain`);
  const result = await runSyncDrainBench({ ...flags, cpuProfDir, log });
  log(`drain: ${result.drain.records} records in ${result.drain.seconds} s = ${result.drain.recordsPerSec} records/s end to end (target ≥ ${TARGET_RECORDS_PER_SEC})`);
  log(`       ${result.drain.steadyRecordsPerSec} records/s from the first applied record (${result.drain.steadySeconds} s)`);
  log(`alerts: publish → applied at the hub  ${fmt(result.alertLatencyMs)}  (target p99 ≤ ${TARGET_ALERT_P99_MS} ms)`);
  log(`        publish → seen in the hub API  ${fmt(result.alertSeenLatencyMs)}`);
  if (result.alertsMissing > 0) log(`        ${result.alertsMissing} of ${result.alertsRaised} alerts never reached the hub`);
  log(`gateway lastSeq ${result.gateway.lastSeq} ackedSeq ${result.gateway.ackedSeq}; hub appliedSeq ${result.hub.appliedSeq}, duplicates ${result.hub.duplicatesSkipped}, quarantined ${result.hub.quarantined}`);
  const out = flags.out ? resolve(process.env.INIT_CWD ?? process.cwd(), flags.out) : join(REPO_ROOT, '.cache/bench/sync-drain.json');
  await writeJsonReport(out, {
    benchmark: 'sync-drain',
    command: 'npm run bench:sync',
    argv: process.argv.slice(2),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: benchEnvironment(REPO_ROOT),
    settings: flags,
    ...result,
    targets: { recordsPerSec: TARGET_RECORDS_PER_SEC, alertP99Ms: TARGET_ALERT_P99_MS },
    met: {
      recordsPerSec: result.drain.recordsPerSec >= TARGET_RECORDS_PER_SEC,
      alertP99: result.alertLatencyMs !== null && result.alertLatencyMs.p99 <= TARGET_ALERT_P99_MS && result.alertsMissing === 0,
    },
  });
  log(`report written to ${out}`);
}

program.action((flags: Flags) => main(flags));
program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`sync drain bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
