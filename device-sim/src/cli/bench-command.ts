import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { benchEnvironment, writeJsonReport } from '../bench/bench-environment.js';
import { benchGatewayEnv, type BenchTarget } from '../bench/bench-targets.js';
import { ensureFdLimit } from '../bench/fd-limit.js';
import { type ProfileResult, formatAdaptiveTable, runAdaptiveBench } from '../bench/run-adaptive-bench.js';
import { runCeilingBench } from '../bench/run-ceiling-bench.js';
import { runConnectionsBench } from '../bench/run-connections-bench.js';
import { runStormBench } from '../bench/run-storm-bench.js';
import { readLocalPortCount } from '../load/resource-limits.js';
import { PREDICTOR_KINDS, type PredictorKind } from '@outpost/protocols';
import { registerAlertsBench } from './alerts-bench-command.js';
import { integerIn, numberAtLeast, oneOf } from './option-parsers.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);

function targetsFrom(raw: string, command: Command): BenchTarget[] {
  const list = raw.split(',').map((t) => t.trim());
  if (list.length === 0 || list.some((t) => t !== 'gateway' && t !== 'mosquitto')) command.error(`error: --targets: expected gateway and/or mosquitto, got "${raw}"`, { exitCode: 2 });
  return list as BenchTarget[];
}

/**
 * Enough loopback source addresses that no one address runs out of local ports (with a tenth to spare).
 * Each reconnect leaves the dropped socket's port in TIME_WAIT for a minute, and a socket bound to a source
 * address cannot reuse it, so a run with `reconnectsPerDevice` storms needs that many more ports.
 */
function sourceAddressesFor(devices: number, given: number | undefined, reconnectsPerDevice = 0): number {
  if (given !== undefined) return given;
  const ports = readLocalPortCount() ?? 28_000;
  return Math.min(254, Math.max(1, Math.ceil((devices * (1 + reconnectsPerDevice)) / (ports * 0.9))));
}

async function writeReport(name: string, out: string | undefined, body: Record<string, unknown>): Promise<void> {
  const path = out ? resolve(process.env.INIT_CWD ?? process.cwd(), out) : join(REPO_ROOT, '.cache', 'bench', `${name}.json`);
  await writeJsonReport(path, { benchmark: name, command: `outpost-sim bench ${process.argv.slice(process.argv.indexOf('bench') + 1).join(' ')}`.trim(), environment: benchEnvironment(REPO_ROOT), ...body });
  log(`report written to ${path}`);
}

function abortOnSigint(): AbortSignal {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  return abort.signal;
}

export function registerBenchCommand(program: Command): void {
  const bench = program
    .command('bench')
    .description('benchmark harness: each comparison runs the same generator against the Outpost gateway and Mosquitto and writes a JSON report')
    .addHelpText(
      'after',
      `
Reports go to .cache/bench/<name>.json (git-ignored) unless --out is given. Results and how to read
them: docs/benchmarks.md. The benches that open many connections raise the open-file limit themselves
when run as root (re-running under prlimit), and raise the gateway's connection guards through its
environment (the report lists the values).

Examples:
  outpost-sim bench ceiling
  outpost-sim bench connections --devices 100000
  outpost-sim bench storm --devices 20000 --storms 3
  outpost-sim bench adaptive`,
    );

  const ceiling = bench
    .command('ceiling')
    .description('the generator against Mosquitto alone: QoS 0 and QoS 1 as fast as it goes')
    .option('--devices <n>', 'devices', integerIn(1, 100_000), 50)
    .option('--rounds <n>', 'rounds per QoS', integerIn(1, 100), 3)
    .option('--round-seconds <s>', 'seconds per round', integerIn(2, 3600), 10)
    .option('--window <n>', 'in-flight publishes per device', integerIn(1, 1000), 16)
    .option('--workers <n>', 'generator worker threads (default min(2, cores))', integerIn(1, 64))
    .option('--out <file>', 'JSON report path')
    .addHelpText('after', '\nExamples:\n  outpost-sim bench ceiling\n  outpost-sim bench ceiling --devices 100 --rounds 5 --workers 1');
  ceiling.action(async (f: { devices: number; rounds: number; roundSeconds: number; window: number; workers?: number; out?: string }) => {
    const startedAt = new Date().toISOString();
    const result = await runCeilingBench({ ...f, inflightWindow: f.window, log, signal: abortOnSigint() });
    log(`median QoS 0 ${result.medians.qos0} msg/s, QoS 1 ${result.medians.qos1} msg/s`);
    await writeReport('ceiling', f.out, { startedAt, finishedAt: new Date().toISOString(), settings: f, ...result });
  });

  const connections = bench
    .command('connections')
    .description('N devices each publishing every 10 s (QoS 1): connected count, broker RSS, memory per connection, p99 publish→PUBACK; gateway and Mosquitto')
    .option('--devices <n>', 'devices', integerIn(1, 1_000_000), 100_000)
    .option('--interval-seconds <s>', 'seconds between one device\'s readings', numberAtLeast(0.01), 10)
    .option('--connect-rate <n>', 'new connections per second', numberAtLeast(1), 1000)
    .option('--hold-seconds <s>', 'seconds to hold every device connected and publishing', integerIn(5, 3600), 60)
    .option('--targets <list>', 'comma-separated: gateway,mosquitto', 'gateway,mosquitto')
    .option('--source-addresses <n>', 'loopback source addresses (default: enough for the local port range)', integerIn(1, 254))
    .option('--workers <n>', 'generator worker threads (default min(2, cores))', integerIn(1, 64))
    .option('--out <file>', 'JSON report path')
    .addHelpText('after', '\nExamples:\n  outpost-sim bench connections                       # 100k devices\n  outpost-sim bench connections --devices 20000 --hold-seconds 30 --targets gateway');
  connections.action(async (f: { devices: number; intervalSeconds: number; connectRate: number; holdSeconds: number; targets: string; sourceAddresses?: number; workers?: number; out?: string }) => {
    const targets = targetsFrom(f.targets, connections);
    await ensureFdLimit(f.devices, log);
    // Each target's run leaves its closed sockets in TIME_WAIT for the next target's run.
    const sourceAddresses = sourceAddressesFor(f.devices, f.sourceAddresses, targets.length - 1);
    const startedAt = new Date().toISOString();
    const gatewayEnv = benchGatewayEnv(f.devices);
    log(`connections bench: ${f.devices} devices, one reading per ${f.intervalSeconds} s, over ${sourceAddresses} source addresses; gateway env ${JSON.stringify(gatewayEnv)}`);
    const results = await runConnectionsBench({ devices: f.devices, ratePerDevice: 1 / f.intervalSeconds, connectRatePerSec: f.connectRate, holdSeconds: f.holdSeconds, targets, sourceAddresses, workers: f.workers, log, signal: abortOnSigint() });
    const gw = results.find((r) => r.target === 'gateway');
    const mq = results.find((r) => r.target === 'mosquitto');
    const ratios = gw && mq ? { rss: gw.holdRssMiB && mq.holdRssMiB ? Math.round((gw.holdRssMiB / mq.holdRssMiB) * 10) / 10 : null, holdP99: gw.holdP99Ms.median && mq.holdP99Ms.median ? Math.round((gw.holdP99Ms.median / mq.holdP99Ms.median) * 10) / 10 : null } : null;
    if (ratios) log(`gateway / Mosquitto: RSS ×${ratios.rss}, hold p99 ×${ratios.holdP99}`);
    await writeReport('connections', f.out, { startedAt, finishedAt: new Date().toISOString(), settings: { ...f, targets, sourceAddresses, qos: 1 }, gatewayEnv, gatewayLimitsRaised: 'connections per address, connect rate and burst, per-device rate (see gatewayEnv)', results, ratios, targets: { connected: 100_000, gatewayRssMiB: 2048, p99Ms: 100 } });
  });

  const storm = bench
    .command('storm')
    .description('N devices drop and reconnect at once, several times: time until all are back; the gateway stays up and loses nothing acked')
    .option('--devices <n>', 'devices', integerIn(1, 1_000_000), 20_000)
    .option('--storms <n>', 'storms per target', integerIn(1, 100), 3)
    .option('--hold-ms <ms>', 'how long the devices stay down before reconnecting', integerIn(0, 600_000), 1000)
    .option('--rate <msgs>', 'readings per second per device (QoS 1)', numberAtLeast(0.001), 0.1)
    .option('--connect-rate <n>', 'new connections per second on the initial ramp', numberAtLeast(1), 1000)
    .option('--settle-seconds <s>', 'steady seconds before and after each storm', integerIn(1, 600), 5)
    .option('--storm-timeout-seconds <s>', 'give up waiting for a storm to recover after this long', integerIn(5, 3600), 120)
    .option('--targets <list>', 'comma-separated: gateway,mosquitto', 'gateway,mosquitto')
    .option('--source-addresses <n>', 'loopback source addresses (default: enough for the local port range)', integerIn(1, 254))
    .option('--workers <n>', 'generator worker threads (default min(2, cores))', integerIn(1, 64))
    .option('--out <file>', 'JSON report path')
    .addHelpText('after', '\nExit code 1 when the gateway lost an acked reading or went down.\n\nExamples:\n  outpost-sim bench storm                          # 20k devices, 3 storms\n  outpost-sim bench storm --devices 5000 --storms 5 --hold-ms 0 --targets gateway');
  storm.action(async (f: { devices: number; storms: number; holdMs: number; rate: number; connectRate: number; settleSeconds: number; stormTimeoutSeconds: number; targets: string; sourceAddresses?: number; workers?: number; out?: string }) => {
    const targets = targetsFrom(f.targets, storm);
    await ensureFdLimit(f.devices, log);
    const sourceAddresses = sourceAddressesFor(f.devices, f.sourceAddresses, f.storms);
    const startedAt = new Date().toISOString();
    const gatewayEnv = benchGatewayEnv(f.devices);
    log(`storm bench: ${f.devices} devices at ${f.rate}/s, ${f.storms} storms, down ${f.holdMs} ms; gateway env ${JSON.stringify(gatewayEnv)}`);
    const results = await runStormBench({ ...f, ratePerDevice: f.rate, connectRatePerSec: f.connectRate, targets, sourceAddresses, log, signal: abortOnSigint() });
    for (const r of results) log(`${r.target}: median all back after ${r.medianAllBackMs} ms; stayed up: ${r.stayedUp}${r.lossAudit ? `; acked ${r.lossAudit.acked}, missing ${r.lossAudit.missing}, duplicates ${r.lossAudit.duplicates}` : ''}`);
    await writeReport('storm', f.out, { startedAt, finishedAt: new Date().toISOString(), settings: { ...f, targets, sourceAddresses, qos: 1 }, gatewayEnv, gatewayLimitsRaised: 'connections per address, connect rate and burst, per-device rate (see gatewayEnv)', results });
    const gw = results.find((r) => r.target === 'gateway');
    if (gw && (!gw.stayedUp || (gw.lossAudit && !gw.lossAudit.ok))) process.exitCode = 1;
  });

  registerAdaptiveBench(bench);
  registerAlertsBench(bench, { log, writeReport, abortOnSigint });
}

interface AdaptiveFlags {
  devices: number;
  samples: number;
  intervalSeconds: number;
  tolerancePercent: number;
  maxSilenceSamples: number;
  anomalyRate: number;
  seed: string;
  predictors: string;
  lmsOrder: number;
  lmsStep: number;
  encoding: 'json' | 'cbor';
  out?: string;
}

/** Invariants of dual prediction that hold by construction; the bench exits 1 when one does not. */
function adaptiveProblems(results: readonly ProfileResult[]): string[] {
  const problems: string[] = [];
  for (const r of results) {
    const label = `${r.profile}/${r.predictor}`;
    if (r.mismatches > 0) problems.push(`${label}: the gateway's stream differs from the device's at ${r.mismatches} samples`);
    if (r.desyncs > 0) problems.push(`${label}: ${r.desyncs} desyncs with lossless delivery`);
    for (const m of r.metrics) if (m.maxErrorOverTolerance > 1) problems.push(`${label}: ${m.metric} left its tolerance (${m.maxErrorOverTolerance} × tolerance)`);
  }
  return problems;
}

/** Spikes a trend predictor anticipated: stored as predicted, within the tolerance of the spike, but not sent. */
function spikeNotes(results: readonly ProfileResult[]): string[] {
  return results
    .filter((r) => r.spikes.firstSampleSent < r.spikes.beyondTolerance)
    .map((r) => `note: ${r.profile}/${r.predictor}: ${r.spikes.beyondTolerance - r.spikes.firstSampleSent} of ${r.spikes.beyondTolerance} spikes beyond the tolerance fell within the tolerance of the prediction; stored as predicted, within the tolerance of the spike`);
}

export function registerAdaptiveBench(bench: Command): void {
  const adaptive = bench
    .command('adaptive')
    .description('adaptive reporting by dual prediction on the signal profiles: transmissions saved, RMSE of the gateway stream, simulated battery life (in-process, no broker)')
    .option('--devices <n>', 'devices per profile', integerIn(1, 10_000), 20)
    .option('--samples <n>', 'samples per device', integerIn(10, 10_000_000), 2000)
    .option('--interval-seconds <s>', 'sampling interval (signal time)', numberAtLeast(0.1), 60)
    .option('--tolerance-percent <p>', 'tolerance of each metric, % of its sensor range', numberAtLeast(0), 1)
    .option('--max-silence-samples <n>', 'heartbeat: transmit at least every n samples', integerIn(1, 3600), 60)
    .option('--anomaly-rate <p>', 'anomaly rate of the second pass (the first has none)', numberAtLeast(0), 0.005)
    .option('--seed <seed>', 'signal seed', '1')
    .option('--predictors <list>', `comma-separated: ${PREDICTOR_KINDS.join(',')}`, PREDICTOR_KINDS.join(','))
    .option('--lms-order <n>', 'LMS filter order', integerIn(1, 16), 4)
    .option('--lms-step <mu>', 'LMS step size μ (0 < μ < 2)', numberAtLeast(0.000001), 0.05)
    .option('--encoding <e>', 'telemetry encoding, for the bytes on air', oneOf(['json', 'cbor'] as const), 'cbor')
    .option('--out <file>', 'JSON report path')
    .addHelpText(
      'after',
      `
Two passes over the same devices: without anomalies (savings, RMSE, battery life) and with
--anomaly-rate (anomalies must get through: spikes beyond the tolerance sent as measured). Device and
gateway run the shared code of @outpost/protocols over lossless, in-order delivery. Battery life comes
from the simulated energy model in device-sim/src/power/energy-model.ts. Exit code 1 when an invariant
fails (the gateway's stream leaves the tolerance, or gateway and device disagree).

Examples:
  outpost-sim bench adaptive
  outpost-sim bench adaptive --tolerance-percent 0.5 --predictors last-value,lms --lms-step 0.1`,
    );
  adaptive.action(async (f: AdaptiveFlags) => {
    const predictors = f.predictors.split(',').map((p) => p.trim()) as PredictorKind[];
    if (predictors.some((p) => !(PREDICTOR_KINDS as readonly string[]).includes(p))) adaptive.error(`error: --predictors: expected names from ${PREDICTOR_KINDS.join(', ')}, got "${f.predictors}"`, { exitCode: 2 });
    if (!(f.lmsStep < 2)) adaptive.error(`error: --lms-step: expected 0 < μ < 2, got ${f.lmsStep}`, { exitCode: 2 });
    if (f.anomalyRate > 1) adaptive.error(`error: --anomaly-rate: expected a probability from 0 to 1, got ${f.anomalyRate}`, { exitCode: 2 });
    const startedAt = new Date().toISOString();
    const common = { devices: f.devices, samples: f.samples, intervalMs: Math.round(f.intervalSeconds * 1000), toleranceFraction: f.tolerancePercent / 100, maxSilenceSamples: f.maxSilenceSamples, seed: f.seed, predictors, lmsOrder: f.lmsOrder, lmsStep: f.lmsStep, encoding: f.encoding };
    log(`adaptive bench: ${f.devices} devices × ${f.samples} samples per profile, every ${f.intervalSeconds} s, tolerance ${f.tolerancePercent} % of range, heartbeat ${f.maxSilenceSamples} samples`);
    const clean = runAdaptiveBench({ ...common, anomalyRate: 0 });
    log('\nwithout anomalies:');
    for (const line of formatAdaptiveTable(clean)) log(line);
    const anomalies = runAdaptiveBench({ ...common, anomalyRate: f.anomalyRate });
    log(`\nwith anomalies (rate ${f.anomalyRate}; RMSE vs clean = against the signal without the injected anomalies):`);
    for (const line of formatAdaptiveTable(anomalies)) log(line);
    for (const note of spikeNotes(anomalies)) log(note);
    const problems = adaptiveProblems([...clean, ...anomalies]);
    for (const p of problems) log(`FAILED: ${p}`);
    await writeReport('adaptive', f.out, { startedAt, finishedAt: new Date().toISOString(), settings: f, energyModel: 'device-sim/src/power/energy-model.ts (simulated)', clean, anomalies, problems });
    if (problems.length > 0) process.exitCode = 1;
  });
}
