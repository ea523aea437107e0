import { Admin, Consumer, type MessageToProduce, type MessagesStream, ProduceAcks, Producer } from '@platformatic/kafka';
import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from '../errors.js';
import { decodeBatch, encodeBatch, validateBatch } from './batch-codec.js';
import { type ConsumeOptions, type IngestLog, type LogBatch, type LogConsumer, batchKey } from './ingest-log.js';
import { BATCH_HEADER, DEFAULT_MAX_APPLY_ATTEMPTS, type KafkaLogOptions } from './kafka-log-options.js';
import { AppendGate, OffsetCommitter, applyWithRetry, waitForZeroLag } from './log-plumbing.js';
import { PartitionSender } from './partition-sender.js';
import { partitionFor } from './partition-for.js';

/** Messages a consumer stream reads ahead (its queue; reading pauses when it is full). */
const CONSUMER_HIGH_WATER_MARK = 256;
/** Fetch retries of a consumer, 500 ms apart: a minute without a broker before the worker gives up. */
const CONSUMER_RETRIES = 120;
const STALL_MS = 20_000;
const STALL_CHECK_MS = 5000;

/** Leave the group and close the connections; errors on the way out are of no use to anyone. */
function forceClose(consumer: Consumer): Promise<void> {
  return new Promise((resolve) => consumer.close(true, () => resolve()));
}

/** The ingest log on Kafka through @platformatic/kafka: idempotent producer, acks=all, explicit partition. */
export function createPlatformaticLog(options: KafkaLogOptions): IngestLog {
  const { topic, logger } = options;
  const log = logger.child({ subsystem: 'ingest-log', client: 'platformatic' });
  const base = { clientId: options.clientId, bootstrapBrokers: options.brokers, timeout: 5000, retries: 3, retryDelay: 250 };
  const gate = new AppendGate(options.maxPendingAppends, options.appendTimeoutMs);
  const consumers = new Set<LogConsumer>();
  const headerKey = Buffer.from(BATCH_HEADER);
  let producer: Producer | undefined;
  let partitions = options.partitions;
  const sender = new PartitionSender<MessageToProduce>((partition, messages) => {
    if (!producer) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', 'append after close');
    return producer.send({ messages: messages.map((m) => ({ ...m, partition })) });
  }, (m) => (m.value as Buffer).length);

  async function ensureTopic(): Promise<number> {
    const admin = new Admin(base);
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        await admin.createTopics({ topics: [topic], partitions: options.partitions, replicas: 1, configs: [{ name: 'max.message.bytes', value: String(options.maxMessageBytes) }] });
        log.info({ topic, partitions: options.partitions }, 'ingest log topic created');
      }
      // Wait for every partition's leader, as kafkajs's waitForLeaders does: the first appends to a new
      // topic would otherwise meet stale metadata and wait out a retry delay.
      for (let i = 0; i < 50; i++) {
        const meta = await admin.metadata({ topics: [topic], forceUpdate: true });
        const found = meta.topics.get(topic);
        if (found && found.partitions.every((p) => p.leader >= 0)) return found.partitionsCount;
        await delay(100);
      }
      throw new HubError('HUB_ERR_INGEST_LOG_CONNECT', `topic ${topic} has partitions without a leader after 5 s`);
    } finally {
      await admin.close();
    }
  }

  return {
    kind: 'kafka',
    client: 'platformatic',
    async start() {
      try {
        partitions = await ensureTopic();
        producer = new Producer({ ...base, idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false });
        await producer.metadata({ topics: [topic] });
      } catch (cause) {
        throw new HubError('HUB_ERR_INGEST_LOG_CONNECT', `${options.brokers.join(',')}: ${(cause as Error).message}`, { cause });
      }
    },
    async append(batch: LogBatch) {
      validateBatch(batch);
      if (!producer) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', 'append before start or after close');
      const key = batchKey(batch);
      const message: MessageToProduce = { topic, key: Buffer.from(batch.gatewayId), value: encodeBatch(batch), headers: new Map([[headerKey, Buffer.from(key)]]) };
      await gate.run(key, () => sender.enqueue(partitionFor(batch.gatewayId, partitions), message));
    },
    async consume(consume: ConsumeOptions): Promise<LogConsumer> {
      const consumer = new Consumer({
        ...base,
        // A worker rides out a broker restart (about 10 s here) instead of stopping on the first failed fetch.
        retries: CONSUMER_RETRIES,
        retryDelay: 500,
        groupId: consume.groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1000,
        maxWaitTime: 500,
        highWaterMark: CONSUMER_HIGH_WATER_MARK,
      });
      const attempts = consume.maxApplyAttempts ?? DEFAULT_MAX_APPLY_ATTEMPTS;
      // Leader epoch -1: "unknown", which the broker accepts and then does not fence on.
      const committer = new OffsetCommitter((offsets) => consumer.commit({ offsets: offsets.map(({ partition, offset }) => ({ topic, partition, offset, leaderEpoch: -1 })) }));
      consumer.on('consumer:group:join', ({ assignments }) => {
        const mine = new Set(assignments?.find((a) => a.topic === topic)?.partitions ?? []);
        committer.forget(Array.from({ length: partitions }, (_, i) => i).filter((i) => !mine.has(i)));
      });
      let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
      try {
        stream = await consumer.consume({ topics: [topic], autocommit: false, mode: 'committed', fallbackMode: 'earliest' });
      } catch (cause) {
        await forceClose(consumer);
        throw new HubError('HUB_ERR_INGEST_LOG_CONNECT', `consumer of ${options.brokers.join(',')}: ${(cause as Error).message}`, { cause });
      }
      let stopping = false;
      let lastProgress = Date.now();
      const fatal = (err: Error) => {
        if (stopping) return;
        stopping = true;
        log.error({ err }, 'ingest log consumer stopped');
        consume.onFatal?.(err);
        setImmediate(() => void handle.close().catch(() => {}));
      };
      const loop = (async () => {
        try {
          for await (const message of stream) {
            if (stopping) break;
            lastProgress = Date.now();
            const position = { partition: message.partition, offset: message.offset.toString() };
            let decoded: LogBatch | undefined;
            try {
              decoded = decodeBatch(message.value);
            } catch (err) {
              consume.onPoison?.(err as Error, position);
            }
            if (decoded) await applyWithRetry(consume.handler, decoded, position, attempts, () => stopping);
            committer.applied(message.partition, message.offset + 1n);
            lastProgress = Date.now();
          }
          // The stream ends by itself only when the client gave up.
          if (!stopping) throw new HubError('HUB_ERR_INGEST_LOG_CONNECT', 'the consumer stream ended on its own');
        } catch (err) {
          fatal(err as Error);
        }
      })();
      // Watchdog: after a broker restart this client's stream was seen to stop delivering without an error.
      // Nothing delivered for STALL_MS while the group is behind on this member's partitions is reported as
      // fatal, so the worker exits and a restarted one resumes from the committed offsets.
      const watchdog = setInterval(() => {
        if (stopping || Date.now() - lastProgress < STALL_MS) return;
        const timeout = delay(5000, null, { ref: false });
        void Promise.race([consumer.getLag({ topics: [topic] }), timeout]).then(
          (lag) => {
            const behind = lag?.get(topic)?.some((l) => l > 0n) ?? false;
            if (behind && Date.now() - lastProgress >= STALL_MS) fatal(new HubError('HUB_ERR_INGEST_LOG_CONNECT', `the consumer delivered nothing for ${STALL_MS / 1000} s while behind`));
          },
          () => {},
        );
      }, STALL_CHECK_MS);
      watchdog.unref();
      let closing: Promise<void> | undefined;
      const handle: LogConsumer = {
        close() {
          stopping = true;
          closing ??= (async () => {
            consumers.delete(handle);
            clearInterval(watchdog);
            try {
              await stream.close();
            } catch (err) {
              log.debug({ err }, 'closing the consumer stream failed');
            }
            await loop;
            await committer.flush();
            if (committer.error) log.warn({ err: committer.error }, 'offset commit failed; the batches come again and are skipped');
            await forceClose(consumer);
          })();
          return closing;
        },
      };
      consumers.add(handle);
      return handle;
    },
    async caughtUp(gatewayId: string, groupId: string, timeoutMs: number) {
      const partition = partitionFor(gatewayId, partitions);
      const admin = new Admin(base);
      // A consumer that never joins a group: only for the partition's start and end offsets.
      const offsets = new Consumer({ ...base, groupId });
      try {
        await waitForZeroLag(`group ${groupId}, partition ${partition}`, timeoutMs, async () => {
          const end = (await offsets.listOffsets({ topics: [topic] })).get(topic)?.[partition] ?? 0n;
          const start = (await offsets.listOffsets({ topics: [topic], timestamp: -2n })).get(topic)?.[partition] ?? 0n;
          const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [partition] }] }] });
          const at = group?.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.committedOffset ?? -1n;
          return end - (at < 0n ? start : at);
        });
      } finally {
        await admin.close();
        await forceClose(offsets);
      }
    },
    async close() {
      gate.close();
      await Promise.all([...consumers].map((c) => c.close()));
      const p = producer;
      producer = undefined;
      await p?.close();
    },
  };
}
