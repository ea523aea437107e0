// What each Kafka client does when the broker restarts under load, through the hub's ingest log: five
// simulated gateways append 4-record batches back to back (a failed append is resent from the last ack,
// as a gateway does), a consumer applies them idempotently; after 3 s the local broker is stopped and
// started again (scripts/services/kafka.mjs: this RESTARTS the shared test broker), the gateways go on
// for 8 s, then the consumer gets up to 30 s to catch up. Printed per client and run: appends acked and
// failed, duplicates delivered, gaps, and gateways whose acked records were not applied.
// Run: npm run bench:kafka-restart [-- --runs 2]
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { pino } from 'pino';
import type { IngestLog, LogBatch } from '../src/ingest-log/ingest-log.js';
import type { KafkaLogOptions } from '../src/ingest-log/kafka-log-options.js';
import { createKafkajsLog } from '../src/ingest-log/kafkajs-log.js';
import { createPlatformaticLog } from '../src/ingest-log/platformatic-log.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '2' } } });
const kafkaScript = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'services', 'kafka.mjs');
const run = promisify(execFile);
const CLIENTS: Record<string, (o: KafkaLogOptions) => IngestLog> = { kafkajs: createKafkajsLog, platformatic: createPlatformaticLog };
const GATEWAYS = ['gw-a', 'gw-b', 'gw-c', 'gw-d', 'gw-e'];
const logger = pino({ level: 'silent' });
const record = (seq: number) => ({ seq, dataClass: 1, hlcWallMs: 1, hlcLogical: 0, payload: Buffer.from(`{"seq":${seq}}`) });

async function once(client: string): Promise<string> {
  const log = CLIENTS[client]!({ brokers: ['127.0.0.1:19092'], topic: `restart-${randomUUID()}`, partitions: 3, clientId: 'restart-check', maxPendingAppends: 100, appendTimeoutMs: 5000, maxMessageBytes: 1 << 20, logger });
  await log.start();
  const applied = new Map<string, number>();
  let duplicates = 0;
  let gaps = 0;
  let fatal = '';
  const consumer = await log.consume({
    groupId: `restart-${randomUUID()}`,
    onFatal: (err) => (fatal = err.message),
    handler: (batch: LogBatch) => {
      const at = applied.get(batch.gatewayId) ?? 0;
      if (batch.records.at(-1)!.seq <= at) duplicates++;
      else if (batch.records[0]!.seq > at + 1) gaps++;
      else applied.set(batch.gatewayId, batch.records.at(-1)!.seq);
    },
  });
  const acked = new Map<string, number>();
  let ok = 0;
  let failed = 0;
  let stop = false;
  async function gateway(gatewayId: string): Promise<void> {
    let next = 1;
    while (!stop) {
      try {
        await log.append({ gatewayId, records: [0, 1, 2, 3].map((i) => record(next + i)), context: { sessionClockTrusted: true, clockToleranceMs: 1, nowMs: 1 } });
        acked.set(gatewayId, next + 3);
        next += 4;
        ok++;
      } catch {
        failed++;
        next = (acked.get(gatewayId) ?? 0) + 1;
        await delay(300);
      }
      await delay(20);
    }
  }
  const gateways = GATEWAYS.map(gateway);
  await delay(3000);
  await run(process.execPath, [kafkaScript, 'stop']);
  await run(process.execPath, [kafkaScript, 'start']);
  await delay(8000);
  stop = true;
  await Promise.all(gateways);
  const behind = () => GATEWAYS.filter((g) => (applied.get(g) ?? 0) < (acked.get(g) ?? 0));
  for (let i = 0; i < 60 && behind().length > 0 && !fatal; i++) await delay(500);
  const stuck = behind().length;
  await consumer.close();
  await log.close();
  return `${client.padEnd(12)} acked ${ok}, failed ${failed} (resent), duplicates delivered ${duplicates}, gaps ${gaps}, gateways not caught up after 30 s: ${stuck}${fatal ? `, consumer stopped: ${fatal}` : ''}`;
}

for (let r = 0; r < Number(args.runs); r++) {
  for (const client of r % 2 === 0 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs']) process.stdout.write(`run ${r + 1} ${await once(client)}\n`);
}
process.exit(0);
