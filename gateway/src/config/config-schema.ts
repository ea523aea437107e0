import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const portOrOff = z.union([port, z.literal('off')]);

/**
 * The gateway's whole configuration. Every leaf has a default and a description; docs/configuration.md
 * is generated from this schema and a test keeps them equal.
 */
export const gatewayConfigSchema = z
  .object({
    dataDir: z.string().min(1).default('.outpost/gateway').describe('Directory for the SQLite store, generated secrets and runtime files.'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Minimum log level.'),
      })
      .strict()
      .default({ level: 'info' }),
    mqtt: z
      .object({
        host: z.string().min(1).default('0.0.0.0').describe('Address the MQTT listeners bind to.'),
        port: port.default(1883).describe('MQTT over TCP port (0 picks a free port and prints it).'),
        wsPort: portOrOff.default(8083).describe('MQTT over WebSocket port, or "off".'),
        tlsPort: port.default(8883).describe('MQTT over TLS port; the listener opens only when tlsCertFile and tlsKeyFile are set.'),
        tlsCertFile: z.string().min(1).optional().describe('PEM certificate (chain) for the TLS listener.'),
        tlsKeyFile: z.string().min(1).optional().describe('PEM private key for the TLS listener.'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxPayloadBytes: z.number().int().min(64).max(16 * 1024 * 1024).default(65536).describe('Largest accepted PUBLISH payload; larger ones are refused with E_PAYLOAD_TOO_LARGE.'),
        deviceMsgsPerSec: z.number().positive().default(100).describe('Sustained messages per second per device (token bucket refill rate).'),
        deviceBurst: z.number().int().min(1).default(200).describe('Token bucket size: messages a device may send in a burst.'),
        maxThrottleMs: z.number().int().min(0).default(10000).describe('A device throttled for longer than this is disconnected (E_RATE_LIMITED).'),
        maxConnectionsPerAddress: z.number().int().min(1).default(1000).describe('Concurrent connections allowed from one source address.'),
        connectRatePerSec: z.number().positive().default(500).describe('New connections accepted per second across the gateway (reconnect-storm guard).'),
        connectBurst: z.number().int().min(1).default(1000).describe('Connections that may arrive at once before the connect rate applies.'),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        batchMaxRows: z.number().int().min(1).max(100000).default(2000).describe('A write batch commits when it holds this many rows…'),
        batchMaxDelayMs: z.number().int().min(0).max(1000).default(5).describe('…or when its oldest row has waited this long.'),
        maxQueuedRows: z.number().int().min(1).default(50000).describe('Rows waiting for commit before publishing clients are paused (backpressure).'),
        deadLetterMaxRows: z.number().int().min(1).default(10000).describe('Dead-letter table bound; the oldest entries are dropped beyond it.'),
        deadLetterPayloadBytes: z.number().int().min(0).default(1024).describe('Bytes of a refused payload kept in the dead-letter table.'),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        synchronous: z.enum(['full', 'normal']).default('full').describe('SQLite synchronous mode: "full" survives power loss; "normal" only process crashes.'),
        maxBytes: z.number().int().min(1024 * 1024).default(2 * 1024 * 1024 * 1024).describe('Disk budget of the store; oldest raw readings are deleted to stay under it.'),
        maxAgeDays: z.number().positive().default(30).describe('Raw readings older than this are deleted.'),
        retentionIntervalMs: z.number().int().min(100).default(60000).describe('How often retention runs.'),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        host: z.string().min(1).default('0.0.0.0').describe('Address the HTTP API binds to.'),
        port: port.default(8080).describe('HTTP API port (0 picks a free port and prints it).'),
        apiToken: z.string().min(24).optional().describe('Bearer token for the API; generated and saved under dataDir on first start when unset.'),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({
        hubUrl: z
          .string()
          .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'must be host:port')
          .optional()
          .describe('The cloud hub\'s gRPC address as host:port. Sync is off while unset (the outbox still fills, within the disk budget).'),
        enrollmentToken: z.string().min(8).optional().describe('One-time enrollment token from the hub; used only when <dataDir>/hub-credential does not exist yet.'),
        tls: z.boolean().default(false).describe('Connect to the hub over TLS (implied by tlsCaFile or tlsPinSha256).'),
        tlsCaFile: z.string().min(1).optional().describe('PEM CA certificate(s) to verify the hub with, instead of the system roots.'),
        tlsPinSha256: z
          .string()
          .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint: 64 hex digits, colons allowed')
          .optional()
          .describe("Pin the hub's certificate: its SHA-256 fingerprint, checked after the usual chain and host name checks (for a self-signed hub, give its certificate as tlsCaFile too)."),
        gatewayName: z.string().min(1).max(128).optional().describe('Name shown on the hub at enrollment (the host name by default).'),
        rawReadings: z.boolean().default(false).describe('Also send every raw reading (class rawReading, lowest priority, first to age out). Summaries are always sent.'),
        batchMinRecords: z.number().int().min(1).max(100000).default(100).describe('Smallest batch the adaptive batch size shrinks to (and starts from).'),
        batchMaxRecords: z.number().int().min(1).max(100000).default(5000).describe('Largest batch the adaptive batch size grows to.'),
        batchMaxBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024).describe('Payload bytes per batch at most (one bigger record still goes alone).'),
        maxInFlightBatches: z.number().int().min(1).max(64).default(4).describe('Batches sent and not yet acked. Small enough that a new alert waits at most this many batch round trips.'),
        targetAckMs: z.number().int().min(10).default(500).describe('Batches acked faster than this grow the batch size; slower ones halve it.'),
        ackTimeoutMs: z.number().int().min(1000).default(30000).describe('A batch unacked this long means the stream is stuck: reconnect and resend from the last ack.'),
        backoffBaseMs: z.number().int().min(10).default(500).describe('First reconnect delay bound; each failure doubles it (full jitter: a random delay up to the bound).'),
        backoffMaxMs: z.number().int().min(100).default(30000).describe('Cap of the reconnect delay bound.'),
        keepaliveMs: z.number().int().min(1000).default(20000).describe('gRPC keepalive ping interval on the hub connection.'),
        summaryGraceMs: z.number().int().min(0).max(60000).default(2000).describe('A 1-minute summary window closes this long after its minute ends.'),
        summaryMaxOpenWindows: z.number().int().min(1).default(200000).describe('Open summary windows (device × metric) kept in memory; when full, the oldest is closed early.'),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        scryptCost: z
          .number()
          .int()
          .min(1024)
          .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
          .default(16384)
          .describe('scrypt cost N for device secrets (a power of two; higher is slower to brute-force).'),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({
        adminPassword: z.string().min(8).max(256).optional().describe('Password of the first technician UI account, "admin", created when no account exists; when unset one is generated and printed once.'),
        sessionTtlMs: z.number().int().min(60000).default(8 * 3600 * 1000).describe('A UI login session ends after this long without use.'),
        lockoutAfterFailures: z.number().int().min(1).max(100).default(5).describe('Wrong passwords in a row that lock a UI account.'),
        lockoutMs: z.number().int().min(1000).default(15 * 60 * 1000).describe('How long a locked UI account stays locked.'),
      })
      .strict()
      .prefault({}),
    runtime: z
      .object({
        enabled: z.boolean().default(true).describe('Start and supervise edge-runtime (anomaly scoring, rules) as a child process; the broker keeps running if it crashes.'),
        entry: z.string().min(1).optional().describe("edge-runtime's entry script; by default the one beside this gateway (its dist/main.js, or src/main.ts when the gateway runs from source)."),
        restartBaseMs: z.number().int().min(10).default(1000).describe('First restart delay after edge-runtime exits; doubles per crash (with jitter) up to restartMaxMs.'),
        restartMaxMs: z.number().int().min(10).default(60000).describe('Longest restart delay; a run that lasted a minute resets the delay.'),
        stopTimeoutMs: z.number().int().min(100).default(10000).describe('After SIGTERM, how long edge-runtime may take to persist its state before SIGKILL.'),
        batchMaxReadings: z.number().int().min(1).max(5000).default(1000).describe('Accepted readings per batch on local/v1/readings.'),
        batchMaxDelayMs: z.number().int().min(0).max(1000).default(10).describe('A readings batch goes out when full or when its oldest reading has waited this long.'),
        maxPendingReadings: z.number().int().min(1000).default(100000).describe('Readings waiting for edge-runtime; beyond it the oldest are not scored (they stay stored) and counted.'),
      })
      .strict()
      .prefault({}),
    power: z
      .object({
        criticalAction: z
          .enum(['none', 'shutdown'])
          .default('none')
          .describe('What the gateway does after it flushed the store on entering the critical power mode: "none" (keep running, in critical), or "shutdown" (close cleanly as on SIGTERM and exit 0).'),
        saverSyncIntervalMs: z.number().int().min(1000).max(3_600_000).default(30_000).describe('In saver, records other than alerts go to the hub in rounds this far apart (alerts go at once).'),
        saverSyncBatchMaxRecords: z.number().int().min(1).max(100000).default(500).describe('In saver, the most records in one sync batch.'),
        criticalSyncIntervalMs: z.number().int().min(1000).max(3_600_000).default(120_000).describe('In critical, records other than alerts go to the hub in rounds this far apart.'),
        criticalSyncBatchMaxRecords: z.number().int().min(1).max(100000).default(100).describe('In critical, the most records in one sync batch.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type GatewayConfig = Readonly<z.output<typeof gatewayConfigSchema>>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
