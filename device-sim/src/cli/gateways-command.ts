import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { formatGatewayAudit } from '../gateways/gateway-audit.js';
import { readTokensFile } from '../gateways/gateway-credentials-file.js';
import { DEFAULT_MIX, MAX_BATCH_RECORDS, parseMix } from '../gateways/gateway-load-options.js';
import { type GatewayLoadReport, runGatewayLoad } from '../gateways/run-gateway-load.js';
import { formatSecondLine } from './devices-command.js';
import { hostPort, integerIn, numberAtLeast } from './option-parsers.js';

interface GatewaysFlags {
  hub: string;
  count?: number;
  tokensFile?: string;
  hubApi?: string;
  hubApiToken?: string;
  credentials?: string;
  channels?: number;
  rate: number;
  batch: number;
  inFlight: number;
  mix?: ReturnType<typeof parseMix>;
  devicesPerGateway: number;
  connectRate: number;
  duration: number;
  drainTimeout: number;
  flushMs: number;
  seed: number;
  namePrefix: string;
  audit: boolean;
  report?: string;
  json?: boolean;
}

const DEFAULT_MIX_TEXT = Object.entries(DEFAULT_MIX).map(([c, w]) => `${c}=${w}`).join(',');

function mix(raw: string) {
  try {
    return parseMix(raw);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function summaryLines(r: GatewayLoadReport): string[] {
  const t = r.totals;
  const e = r.enrollment;
  const lat = r.latencyMs;
  const errors = Object.entries(t.errorsByCode).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  return [
    `gateways: ${t.gateways} (${e.reused} reused, ${e.enrolled} enrolled), ${t.gatewaysConnected} connected, peak ${t.peakConnected} at once, ${t.refused} refused, ${t.failed} failed`,
    `records: ${t.sent} sent, ${t.acked} acked (${t.ackedOnWelcome} by a Welcome after a lost ack), ${t.resent} resent, ${t.skipped} skipped, ${t.unackedAtClose} unacked at close`,
    `streams: ${t.streamAttempts} attempts, ${t.streamsOpened} opened` +
      (r.welcomeLatencyMs ? ` (start→Welcome p50 ${r.welcomeLatencyMs.p50} ms, p99 ${r.welcomeLatencyMs.p99} ms)` : '') +
      `; ${t.batchesSent} batches sent`,
    `rate: ${r.recordsPerSec.median} records/s (median of ${r.recordsPerSec.steadySeconds} steady seconds; mean ${r.recordsPerSec.mean})` +
      (lat ? `; batch send→ack p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms` : ''),
    `errors: ${errors}; downlink: ${t.commands} commands answered, ${t.desiredStates} desired states`,
    ...r.gateways
      .filter((g) => g.finalError)
      .slice(0, 3)
      .map((g) => `stopped: ${g.name} (${g.gatewayId}) ${g.state}: ${g.finalError}`),
    ...(r.audit ? [formatGatewayAudit(r.audit)] : []),
  ];
}

export function registerGatewaysCommand(program: Command): void {
  const command = program
    .command('gateways')
    .description('N simulated gateways speaking the sync protocol to a running hub, with a loss audit at the end')
    .option('--hub <host:port>', "the hub's gRPC sync address", hostPort, '127.0.0.1:50051')
    .option('--count <n>', 'gateways (default: all saved in --credentials)', integerIn(1, 100_000))
    .option('--tokens-file <file>', 'one-time enrollment tokens, one a line, for gateways without a credential')
    .option('--hub-api <url>', "the hub's HTTP API (e.g. http://127.0.0.1:8081): creates missing tokens, answers the audit")
    .option('--hub-api-token <token>', "the hub's API token (<hub data dir>/api-token); or env OUTPOST_HUB_API_TOKEN")
    .option('--credentials <file>', 'JSON file of gateway credentials: reused when it exists, written after enrolling')
    .option('--channels <n>', 'gRPC channels (TCP connections) shared by the gateways (default: one per gateway, as real gateways)', integerIn(1, 100_000))
    .option('--rate <records>', 'records per second per gateway, fractions allowed; 0 = as fast as acks allow', numberAtLeast(0), 10)
    .option('--batch <n>', 'most records per batch', integerIn(1, MAX_BATCH_RECORDS), 100)
    .option('--in-flight <n>', 'most unacked batches per gateway', integerIn(1, 64), 4)
    .option('--mix <class=weight,...>', `relative weights of the data classes (default: ${DEFAULT_MIX_TEXT})`, mix)
    .option('--devices-per-gateway <n>', 'devices behind each gateway (payload device ids)', integerIn(1, 10_000), 10)
    .option('--connect-rate <n>', 'gateways connecting per second (0 = all at once)', numberAtLeast(0), 100)
    .option('--duration <s>', 'seconds of load (the drain and the audit come after)', integerIn(1, 86_400), 30)
    .option('--drain-timeout <s>', 'after the duration, seconds to wait for outstanding acks', integerIn(0, 3_600), 15)
    .option('--flush-ms <ms>', 'rate mode: each gateway sends what it owes at least this often (at once when a full batch is owed)', integerIn(10, 60_000), 1000)
    .option('--seed <n>', 'seed of the record mix and payload values', integerIn(0, 0xffffffff), 1)
    .option('--name-prefix <p>', 'names of enrolled gateways: <prefix><index>', 'sim-gw-')
    .option('--no-audit', 'skip the loss audit (it needs --hub-api)')
    .option('--report <file>', 'write the full report (per second, per gateway) to this JSON file')
    .option('--json', 'print the report (without per-gateway and per-second detail) as JSON on stdout')
    .addHelpText(
      'after',
      `
Gateways come from --credentials (when the file exists), then enrollment: tokens from --tokens-file,
or created through --hub-api. Every Enroll carries a random request id, so a retry after a lost answer
gets the same gateway. Per-second lines go to stderr (records/s = acked records, p50/p99 = batch send→ack).
At the end each gateway's counts at the hub (GET /api/v1/gateways/:id/counts) are checked: appliedSeq
must be the gateway's last acked seq and the records per class exactly what it sent.

Examples:
  # 200 gateways, tokens created through the hub API, credentials kept for the next run
  outpost-sim gateways --hub 127.0.0.1:50051 --count 200 --duration 20 \\
    --hub-api http://127.0.0.1:8081 --hub-api-token "$(cat .outpost/hub/api-token)" --credentials gws.json
  # the same gateways again (no enrollment), as fast as acks allow, 1000-record batches, 8 in flight
  outpost-sim gateways --credentials gws.json --rate 0 --batch 1000 --in-flight 8 --duration 60 \\
    --hub-api http://127.0.0.1:8081 --hub-api-token "$(cat .outpost/hub/api-token)" --report run.json
  # tokens made with the hub's CLI, no audit
  for i in $(seq 20); do outpost-hub tokens create >> tokens.txt; done
  outpost-sim gateways --count 20 --tokens-file tokens.txt --credentials gws.json --no-audit
  # alert-heavy mix, 1000 gateways over 100 shared channels, 200 new gateways per second
  outpost-sim gateways --credentials gws.json --count 1000 --channels 100 --connect-rate 200 \\
    --mix alert=10,event=10,summary=30,rawReading=50 --hub-api http://127.0.0.1:8081 --hub-api-token "$T"

Exit codes: 0 ok, 1 failure (hub unreachable, token refused, gateways refused, audit failed), 2 bad options.`,
    )
    .action(async (flags: GatewaysFlags) => {
      const fail = (message: string): never => command.error(`error: ${message}`, { exitCode: 2 });
      const apiToken = flags.hubApiToken ?? process.env.OUTPOST_HUB_API_TOKEN;
      if (flags.hubApi && !apiToken) fail('--hub-api needs --hub-api-token (or env OUTPOST_HUB_API_TOKEN)');
      if (flags.audit && !flags.hubApi) fail('the loss audit reads the hub API: give --hub-api and --hub-api-token, or pass --no-audit');
      if (flags.count === undefined && !flags.credentials) fail('--count is required without --credentials');
      const tokens = flags.tokensFile ? await readTokensFile(flags.tokensFile) : undefined;
      const abort = new AbortController();
      process.once('SIGINT', () => {
        process.stderr.write('stopping: delivering unacked batches, then the audit…\n');
        abort.abort();
      });
      const report = await runGatewayLoad({
        hub: flags.hub,
        count: flags.count,
        credentialsFile: flags.credentials,
        tokens,
        hubApi: flags.hubApi ? { url: flags.hubApi, token: apiToken! } : undefined,
        channels: flags.channels,
        ratePerGateway: flags.rate,
        batchRecords: flags.batch,
        inFlightBatches: flags.inFlight,
        mix: flags.mix,
        devicesPerGateway: flags.devicesPerGateway,
        connectRatePerSec: flags.connectRate,
        durationMs: flags.duration * 1000,
        drainTimeoutMs: flags.drainTimeout * 1000,
        flushIntervalMs: flags.flushMs,
        seed: flags.seed,
        namePrefix: flags.namePrefix,
        audit: flags.audit,
        onSecond: (line) => process.stderr.write(`${formatSecondLine(line, 'rec/s')}\n`),
        onLog: (line) => process.stderr.write(`${line}\n`),
        signal: abort.signal,
      });
      if (flags.report) await writeFile(flags.report, `${JSON.stringify(report, null, 2)}\n`);
      if (flags.json) {
        const { gateways: _gateways, seconds: _seconds, ...summary } = report;
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        process.stdout.write(`${summaryLines(report).join('\n')}\n`);
      }
      if ((report.audit && !report.audit.ok) || report.totals.refused > 0 || report.totals.failed > 0) process.exitCode = 1;
    });
}
