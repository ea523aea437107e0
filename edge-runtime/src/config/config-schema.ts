import { z } from 'zod';
import { powerConfigProblems, powerConfigSchema } from '../power/power-config.js';

const positiveMs = z.number().int().min(1);

/** `"shipped"`, a JSON array of manifest paths, or (from the environment or a flag) a comma-separated list. */
const modelsField = z.union([z.literal('shipped'), z.array(z.string().min(1).max(1024)).max(16), z.string().min(1)]);

/**
 * The edge-runtime's whole configuration. Every leaf has a default or is optional and has a description;
 * docs/edge-runtime-configuration.md is generated from this schema and a test keeps them equal.
 */
export const runtimeConfigSchema = z
  .object({
    dataDir: z.string().min(1).default('.outpost/edge-runtime').describe('Directory for saved state: the online detector bank and the featurizer states.'),
    mqttUrl: z
      .string()
      .regex(/^(mqtt|mqtts|tcp|tls|ws|wss):\/\/[^\s/]+/, 'must be a URL like mqtt://host:port')
      .default('mqtt://127.0.0.1:1883')
      .describe('The gateway\'s embedded broker.'),
    internalSecretFile: z
      .string()
      .min(1)
      .default('.outpost/gateway/internal-secret')
      .describe('File holding the broker\'s internal credential: the gateway\'s <dataDir>/internal-secret. Re-read before every reconnect.'),
    internalSecret: z.string().min(24).optional().describe('The internal credential itself, instead of the file. Environment only; never logged.'),
    models: modelsField
      .default('shipped')
      .describe('Manifest paths of the models to serve: "shipped" (every model @outpost/models ships), a JSON array, or a comma-separated list.'),
    rulesFile: z.string().min(1).optional().describe('Rules file (.json, .yaml or .yml); see docs/rules.md. No rules while unset.'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Minimum log level.'),
      })
      .strict()
      .prefault({}),
    mqtt: z
      .object({
        cleanSession: z.boolean().default(true).describe('Start a clean MQTT session (default): while the runtime is away the gateway holds readings in its own bounded feed queue and resends from there; false makes the broker keep them too.'),
        reconnectMinMs: positiveMs.max(60_000).default(250).describe('First reconnect delay; doubles after each failed attempt…'),
        reconnectMaxMs: positiveMs.max(600_000).default(10_000).describe('…up to this.'),
      })
      .strict()
      .prefault({}),
    detector: z
      .object({
        enabled: z.boolean().default(true).describe('Run the online detector on every metric of every reading.'),
        maxStreams: z.number().int().min(1).max(10_000_000).default(100_000).describe('Device × metric streams the detector tracks; new streams beyond it are not scored (RT_ERR_DETECTOR_STREAMS_FULL).'),
      })
      .strict()
      .prefault({}),
    scoring: z
      .object({
        batchSize: z.number().int().min(1).max(65_536).default(512).describe('Most windows scored in one model run.'),
        batchWindowMs: z.number().int().min(0).max(1000).default(20).describe('How long the first queued window waits for more before a run.'),
        intraOpThreads: z.number().int().min(1).max(2).default(1).describe('onnxruntime intra-op threads in the scoring worker (the box has 2 cores).'),
        queueMax: z.number().int().min(1).max(1_000_000).default(20_000).describe('Windows waiting for scoring before reading intake pauses (no PUBACK to the gateway).'),
        maxDevices: z.number().int().min(1).max(1_000_000).default(50_000).describe('Devices with featurizer state; the least recently seen is forgotten beyond it.'),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        cooldownMs: z.number().int().min(0).default(60_000).describe('After an alert, the same device and kind raise no other for this long (reading time). Rules may set their own.'),
        queueMax: z.number().int().min(1).max(100_000).default(1000).describe('Alerts waiting for the gateway\'s PUBACK before reading intake pauses; none is dropped.'),
        cooldownMaxKeys: z.number().int().min(1).max(10_000_000).default(200_000).describe('Device × kind cooldown entries kept; the oldest is forgotten beyond it.'),
      })
      .strict()
      .prefault({}),
    state: z
      .object({
        persistIntervalMs: positiveMs.min(1000).default(30_000).describe('How often the detector and featurizer states are saved (and at close).'),
      })
      .strict()
      .prefault({}),
    status: z
      .object({
        intervalMs: positiveMs.min(100).default(10_000).describe('How often the runtime status is published, besides every change.'),
      })
      .strict()
      .prefault({}),
    power: powerConfigSchema,
    training: z
      .object({
        enabled: z.boolean().default(true).describe('Answer the hub\'s federated-learning tasks (only while the power mode is performance).'),
        reservoirWindows: z.number().int().min(16).max(100_000).default(2048).describe('Recent normal windows kept per profile for training (a uniform sample of those seen).'),
        maxProfiles: z.number().int().min(1).max(16).default(4).describe('Profiles with a reservoir; windows of further profiles are not kept.'),
        tags: z
          .union([z.array(z.string().min(1).max(64)).max(32), z.string().max(2048)])
          .default([])
          .describe('Tags this gateway reports to the hub for federation selection: a JSON array or a comma-separated list.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((c) => c.mqtt.reconnectMinMs <= c.mqtt.reconnectMaxMs, { message: 'reconnectMinMs must not exceed reconnectMaxMs', path: ['mqtt', 'reconnectMaxMs'] })
  .superRefine((c, ctx) => {
    for (const problem of powerConfigProblems(c.power)) ctx.addIssue({ code: 'custom', message: problem.message, path: ['power', problem.key] });
  });

export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;
export type RuntimeConfigInput = z.input<typeof runtimeConfigSchema>;
