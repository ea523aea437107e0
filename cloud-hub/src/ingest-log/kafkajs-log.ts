import { type Consumer, Kafka, type LogEntry, type Message, Partitioners, type Producer, logLevel } from 'kafkajs';
import { HubError } from '../errors.js';
import { decodeBatch, encodeBatch, validateBatch } from './batch-codec.js';
import { type ConsumeOptions, type IngestLog, type LogBatch, type LogConsumer, batchKey } from './ingest-log.js';
import { BATCH_HEADER, DEFAULT_MAX_APPLY_ATTEMPTS, type KafkaLogOptions } from './kafka-log-options.js';
import { AppendGate, applyWithRetry, waitForZeroLag } from './log-plumbing.js';
import { PartitionSender } from './partition-sender.js';
import { partitionFor } from './partition-for.js';

/** The ingest log on Kafka through kafkajs: idempotent producer, acks=all, explicit partition per gateway. */
export function createKafkajsLog(options: KafkaLogOptions): IngestLog {
  const { topic, logger } = options;
  const log = logger.child({ subsystem: 'ingest-log', client: 'kafkajs' });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    // Connecting gives up after about 4 s, so a hub pointed at the wrong brokers says so quickly.
    retry: { retries: 4, initialRetryTime: 250 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
  const gate = new AppendGate(options.maxPendingAppends, options.appendTimeoutMs);
  const consumers = new Set<LogConsumer>();
  let producer: Producer | undefined;
  let partitions = options.partitions;
  const sender = new PartitionSender<Message>((partition, messages) => {
    if (!producer) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', 'append after close');
    return producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition })) });
  }, (m) => (m.value as Buffer).length);

  async function ensureTopic(): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        await admin.createTopics({
          topics: [{ topic, numPartitions: options.partitions, replicationFactor: -1, configEntries: [{ name: 'max.message.bytes', value: String(options.maxMessageBytes) }] }],
          waitForLeaders: true,
        });
        log.info({ topic, partitions: options.partitions }, 'ingest log topic created');
      }
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return meta.topics[0]?.partitions.length ?? options.partitions;
    } finally {
      await admin.disconnect();
    }
  }

  return {
    kind: 'kafka',
    client: 'kafkajs',
    async start() {
      try {
        partitions = await ensureTopic();
        // kafkajs keeps idempotent sequence numbers right only with one request in flight per broker.
        producer = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          // Every message names its partition; this only silences kafkajs's warning about the default.
          createPartitioner: Partitioners.DefaultPartitioner,
          // Bounded (kafkajs warns about it): a send kafkajs retried forever would hold memory after the
          // append timed out; the gateway resends instead, and the apply skips what landed twice.
          retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
        });
        await producer.connect();
      } catch (cause) {
        throw new HubError('HUB_ERR_INGEST_LOG_CONNECT', `${options.brokers.join(',')}: ${(cause as Error).message}`, { cause });
      }
    },
    async append(batch: LogBatch) {
      validateBatch(batch);
      if (!producer) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', 'append before start or after close');
      const key = batchKey(batch);
      const message: Message = { key: batch.gatewayId, value: encodeBatch(batch), headers: { [BATCH_HEADER]: key } };
      await gate.run(key, () => sender.enqueue(partitionFor(batch.gatewayId, partitions), message));
    },
    async consume(consume: ConsumeOptions): Promise<LogConsumer> {
      const consumer: Consumer = kafka.consumer({
        groupId: consume.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 1000,
        // An idle fetch returns after this; close waits for it, so keep it short.
        maxWaitTimeInMs: 500,
      });
      const attempts = consume.maxApplyAttempts ?? DEFAULT_MAX_APPLY_ATTEMPTS;
      let stopping = false;
      let closing: Promise<void> | undefined;
      const handle: LogConsumer = {
        close() {
          stopping = true;
          closing ??= (async () => {
            consumers.delete(handle);
            await consumer.disconnect();
          })();
          return closing;
        },
      };
      // kafkajs restarts a crashed consumer on retriable errors; one it will not restart is fatal here.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || stopping) return;
        stopping = true;
        log.error({ err: payload.error }, 'ingest log consumer crashed');
        consume.onFatal?.(new HubError('HUB_ERR_INGEST_LOG_CONNECT', `consumer crashed: ${payload.error.message}`, { cause: payload.error }));
        setImmediate(() => void handle.close().catch(() => {}));
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
            let next: bigint | undefined;
            // A failed apply stops this consumer (our policy); anything else (a heartbeat during a broker
            // restart, a rebalance) goes back to kafkajs after the commit, which retries or rejoins.
            let clientError: unknown;
            for (const message of batch.messages) {
              if (stopping || !isRunning() || isStale()) break;
              const position = { partition: batch.partition, offset: message.offset };
              let decoded: LogBatch | undefined;
              try {
                decoded = decodeBatch(message.value);
              } catch (err) {
                consume.onPoison?.(err as Error, position);
              }
              try {
                if (decoded) await applyWithRetry(consume.handler, decoded, position, attempts, () => stopping);
              } catch (err) {
                stopping = true;
                log.error({ err, partition: batch.partition }, 'ingest log consumer stopped');
                consume.onFatal?.(err as Error);
                setImmediate(() => void handle.close().catch(() => {}));
                break;
              }
              resolveOffset(message.offset);
              next = BigInt(message.offset) + 1n;
              try {
                await heartbeat();
              } catch (err) {
                clientError = err;
                break;
              }
            }
            // Commit what this fetch applied before the next fetch. Through the group directly: kafkajs's
            // consumer.commitOffsets is silently dropped once the consumer is stopping.
            if (next !== undefined) {
              try {
                await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition: batch.partition, offset: next.toString() }] }] });
              } catch (err) {
                log.warn({ err }, 'offset commit failed; the batches come again and are skipped');
              }
            }
            if (clientError !== undefined) throw clientError;
          },
        });
      } catch (cause) {
        await consumer.disconnect().catch(() => {});
        throw new HubError('HUB_ERR_INGEST_LOG_CONNECT', `consumer of ${options.brokers.join(',')}: ${(cause as Error).message}`, { cause });
      }
      consumers.add(handle);
      return handle;
    },
    async caughtUp(gatewayId: string, groupId: string, timeoutMs: number) {
      const partition = partitionFor(gatewayId, partitions);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitForZeroLag(`group ${groupId}, partition ${partition}`, timeoutMs, async () => {
          const ends = await admin.fetchTopicOffsets(topic);
          const end = BigInt(ends.find((e) => e.partition === partition)?.offset ?? '0');
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const at = BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
          const start = BigInt(ends.find((e) => e.partition === partition)?.low ?? '0');
          // No commit yet: everything from the partition's start is pending.
          return end - (at < 0n ? start : at);
        });
      } finally {
        await admin.disconnect();
      }
    },
    async close() {
      gate.close();
      await Promise.all([...consumers].map((c) => c.close()));
      const p = producer;
      producer = undefined;
      await p?.disconnect();
    },
  };
}
