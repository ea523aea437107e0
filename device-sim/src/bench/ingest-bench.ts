/**
 * `npm run bench:ingest`: QoS 1 readings as fast as acks allow to the Outpost gateway (durable SQLite ingest)
 * and to Mosquitto with its default config, same machine, same run, same generator, alternating rounds.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { integerIn, oneOf } from '../cli/option-parsers.js';
import { benchEnvironment, writeJsonReport } from './bench-environment.js';
import { type BenchTargetName, BENCH_GATEWAY_ENV, runIngestBench } from './run-ingest-bench.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TARGET_RATIO = 0.5;

interface Flags {
  devices: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  window: number;
  encoding: 'json' | 'cbor';
  workers?: number;
  targets: string;
  out?: string;
}

const program = new Command('ingest-bench')
  .description('Ingest benchmark: Outpost gateway vs Mosquitto (default config), QoS 1, as fast as acks allow')
  .option('--devices <n>', 'simulated devices per round', integerIn(1, 10_000), 50)
  .option('--rounds <n>', 'measured rounds per target', integerIn(1, 100), 5)
  .option('--round-seconds <s>', 'length of each round', integerIn(2, 3600), 10)
  .option('--warmup-seconds <s>', 'unmeasured warm-up per target (0 = none)', integerIn(0, 600), 5)
  .option('--window <n>', 'in-flight QoS 1 publishes per device', integerIn(1, 1000), 16)
  .option('--encoding <e>', 'payload encoding: json or cbor', oneOf(['json', 'cbor'] as const), 'json')
  .option('--workers <n>', 'generator worker threads (default min(2, cores))', integerIn(1, 64))
  .option('--targets <list>', 'comma-separated: gateway,mosquitto', 'gateway,mosquitto')
  .option('--out <file>', 'JSON report path (default: .cache/bench/ingest.json in the repository, git-ignored)')
  .addHelpText(
    'after',
    `
Examples:
  npm run bench:ingest
  npm run bench:ingest -- --rounds 3 --round-seconds 5 --targets mosquitto
  npm run bench:ingest -- --devices 200 --window 4 --out /tmp/ingest.json`,
  );

async function main(flags: Flags): Promise<void> {
  const targets = flags.targets.split(',').map((t) => t.trim());
  const bad = targets.filter((t) => t !== 'gateway' && t !== 'mosquitto');
  if (bad.length > 0 || targets.length === 0) program.error(`--targets: expected gateway and/or mosquitto, got "${flags.targets}"`);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const startedAt = new Date();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const settings = { ...flags, qos: 1, targets, gatewayEnv: BENCH_GATEWAY_ENV };
  log(`ingest bench: ${flags.devices} devices, QoS 1 ${flags.encoding}, window ${flags.window}, ${flags.rounds} × ${flags.roundSeconds} s per target`);
  const result = await runIngestBench({ ...flags, inflightWindow: flags.window, targets: targets as BenchTargetName[], log, signal: abort.signal });
  for (const [name, value] of Object.entries(result.medians)) log(`median ${name.padEnd(9)} ${String(value).padStart(8)} msg/s`);
  if (result.ratio !== null) log(`ratio gateway/mosquitto ${result.ratio} (target ≥ ${TARGET_RATIO})`);
  // npm runs scripts from the repository root; INIT_CWD is where the user typed the command.
  const out = flags.out ? resolve(process.env.INIT_CWD ?? process.cwd(), flags.out) : join(REPO_ROOT, '.cache/bench/ingest.json');
  await writeJsonReport(out, {
    benchmark: 'ingest',
    command: 'npm run bench:ingest',
    argv: process.argv.slice(2),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    aborted: abort.signal.aborted,
    environment: benchEnvironment(REPO_ROOT),
    settings,
    ...result,
    targetRatio: TARGET_RATIO,
  });
  log(`report written to ${out}`);
}

program.action((flags: Flags) => main(flags));
program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`ingest bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
