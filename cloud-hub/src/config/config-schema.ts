import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const MiB = 1024 * 1024;

/**
 * The hub's whole configuration. Every leaf has a default and a description; docs/hub-configuration.md
 * is generated from this schema and a test keeps them equal.
 */
export const hubConfigSchema = z
  .object({
    dataDir: z.string().min(1).default('.outpost/hub').describe('Directory for the SQLite store and generated secrets.'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Minimum log level.'),
      })
      .strict()
      .default({ level: 'info' }),
    sync: z
      .object({
        host: z.string().min(1).default('0.0.0.0').describe('Address the gRPC sync service binds to.'),
        port: port.default(50051).describe('gRPC sync port (0 picks a free port and prints it).'),
        tlsCertFile: z.string().min(1).optional().describe('PEM certificate (chain) of the hub; with tlsKeyFile the sync port serves TLS only.'),
        tlsKeyFile: z.string().min(1).optional().describe('PEM private key for tlsCertFile.'),
        maxBatchBytes: z.number().int().min(64 * 1024).max(64 * MiB).default(4 * MiB).describe('Largest batch message accepted; larger ones get E_SYNC_BATCH_TOO_LARGE.'),
        clockToleranceMs: z.number().int().min(1000).default(300_000).describe('A gateway whose Hello wall clock is further than this from the hub is marked clock_trusted=false.'),
        keepaliveTimeMs: z.number().int().min(1000).default(30_000).describe('gRPC keepalive: ping an idle connection this often (grpc.keepalive_time_ms).'),
        keepaliveTimeoutMs: z.number().int().min(1000).default(10_000).describe('gRPC keepalive: drop the connection when a ping is not answered within this (grpc.keepalive_timeout_ms).'),
        minPingIntervalMs: z.number().int().min(0).default(10_000).describe('Fastest client ping rate accepted without data (grpc.http2.min_ping_interval_without_data_ms).'),
        downlinkPageSize: z.number().int().min(1).max(10_000).default(100).describe('Commands or desired states read from the store and queued for one stream at a time.'),
        writeDrainTimeoutMs: z.number().int().min(100).default(30_000).describe('A stream whose gateway does not read for this long is closed (slow consumer).'),
        revocationPollMs: z.number().int().min(50).default(1000).describe('How often the hub looks for gateways revoked by another process (the CLI).'),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        host: z.string().min(1).default('0.0.0.0').describe('Address the HTTP API binds to.'),
        port: port.default(8090).describe('HTTP API port (0 picks a free port and prints it).'),
        apiToken: z.string().min(24).optional().describe('Bearer token for the API; generated and saved under dataDir on first start when unset.'),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        synchronous: z.enum(['full', 'normal']).default('full').describe('SQLite synchronous mode: "full" keeps acked batches through power loss; "normal" only through process crashes.'),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        rawReadingsMaxAgeDays: z.number().positive().default(7).describe('Raw readings synced from gateways are deleted after this many days at the hub.'),
        rawReadingsMaxRows: z.number().int().min(1000).default(10_000_000).describe('At most this many raw readings are kept; the oldest go first.'),
        quarantineMaxRows: z.number().int().min(100).default(100_000).describe('At most this many quarantined records are kept; the oldest go first (their counts stay).'),
        intervalMs: z.number().int().min(100).default(60_000).describe('How often retention runs (also drops enrollment tokens expired for a day).'),
      })
      .strict()
      .prefault({}),
    enrollment: z
      .object({
        defaultTokenTtlMs: z.number().int().min(1000).default(86_400_000).describe('Lifetime of an enrollment token when none is asked for.'),
        maxTokenTtlMs: z.number().int().min(1000).default(30 * 86_400_000).describe('Longest lifetime an enrollment token may be given.'),
      })
      .strict()
      .prefault({}),
    commands: z
      .object({
        defaultTtlMs: z.number().int().min(1000).default(3_600_000).describe('Lifetime of a command when none is asked for; it expires unsent after it.'),
        maxTtlMs: z.number().int().min(1000).default(7 * 86_400_000).describe('Longest lifetime a command may be given.'),
        maxPendingPerGateway: z.number().int().min(1).default(10_000).describe('Pending commands per gateway; beyond it new ones are refused (HUB_ERR_TOO_MANY_COMMANDS).'),
      })
      .strict()
      .prefault({}),
    ingestLog: z
      .object({
        kind: z.enum(['in-process', 'kafka']).default('in-process').describe('Where synced batches go before they are applied: "in-process" applies them directly; "kafka" appends them to a Kafka topic that workers consume.'),
        brokers: z
          .string()
          .regex(/^$|^[A-Za-z0-9.\-_]+:\d{1,5}(,[A-Za-z0-9.\-_]+:\d{1,5})*$/, 'comma-separated host:port list')
          .default('')
          .describe('Kafka bootstrap brokers, comma-separated host:port (required when kind is "kafka").'),
        topic: z.string().min(1).max(249).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').default('outpost.sync-batches').describe('Kafka topic of the ingest log; created with `partitions` partitions when missing.'),
        partitions: z.number().int().min(1).max(1024).default(12).describe('Partitions of the topic when the hub creates it; batches are partitioned by gateway id.'),
        client: z.enum(['kafkajs', 'platformatic']).default('kafkajs').describe('Kafka client library: "kafkajs" or "platformatic" (@platformatic/kafka).'),
        groupId: z.string().min(1).default('outpost-hub-workers').describe('Consumer group of the workers that apply the log.'),
        maxPendingAppends: z.number().int().min(1).max(100_000).default(1000).describe('Appends waiting for the log at once; beyond it an append is refused (HUB_ERR_INGEST_LOG_FULL) and the stream retries.'),
        appendTimeoutMs: z.number().int().min(100).default(30_000).describe('An append not durable within this fails (HUB_ERR_INGEST_LOG_APPEND) and the batch is not acked.'),
      })
      .strict()
      .refine((v) => v.kind !== 'kafka' || v.brokers !== '', { message: 'brokers must be set when kind is "kafka"', path: ['brokers'] })
      .prefault({}),
  })
  .strict();

export type HubConfig = Readonly<z.output<typeof hubConfigSchema>>;
export type HubConfigInput = z.input<typeof hubConfigSchema>;
