import { type FlModelShape, parameterCount, profileModelShape } from '@outpost/models/federated';
import { PROFILE_NAMES } from '@outpost/models/signals';
import { flModelShapeSchema } from '@outpost/protocols';
import { z } from 'zod';
import { HubError } from '../errors.js';

const tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:=-]{0,63}$/, '1-64 characters of [A-Za-z0-9_.:=-]');

/** A federation as an operator creates it (POST /api/v1/federations); every field but `profile` has a default. */
export const federationConfigSchema = z
  .object({
    name: z.string().min(1).max(128).default('federation'),
    profile: z.enum(PROFILE_NAMES),
    /** The model; defaults to the shape of the profile's shipped autoencoder. */
    shape: flModelShapeSchema.optional(),
    rounds: z.number().int().min(1).max(10_000).default(30),
    /** Share of the eligible gateways selected per round, at least `minClients`. */
    sampleFraction: z.number().gt(0).max(1).default(1),
    minClients: z.number().int().min(1).max(10_000).default(2),
    /** Aggregate when at least this share of the selected gateways reported before the deadline. */
    minCompletionRate: z.number().gt(0).max(1).default(0.7),
    /** Deadline of each phase (offer, train, each secure-aggregation step), and the wait for enough candidates. */
    phaseTimeoutMs: z.number().int().min(200).max(3_600_000).default(60_000),
    /** Pause after a failed round before the next one starts. */
    retryDelayMs: z.number().int().min(0).max(3_600_000).default(5000),
    /** New normal windows a gateway must hold to be eligible. */
    minSamples: z.number().int().min(1).max(10_000_000).default(64),
    aggregator: z
      .object({ kind: z.enum(['fedavg', 'trimmed-mean', 'median']), trimFraction: z.number().min(0).lt(0.5).optional() })
      .strict()
      .default({ kind: 'fedavg' }),
    serverOptimizer: z
      .object({
        kind: z.enum(['sgd', 'fedadam']),
        learningRate: z.number().gt(0).max(100),
        beta1: z.number().min(0).lt(1).optional(),
        beta2: z.number().min(0).lt(1).optional(),
        tau: z.number().gt(0).max(1).optional(),
      })
      .strict()
      .default({ kind: 'sgd', learningRate: 1 }),
    training: z
      .object({
        epochs: z.number().int().min(1).max(100).default(2),
        batchSize: z.number().int().min(1).max(4096).default(32),
        learningRate: z.number().gt(0).max(10).default(0.01),
        /** FedProx proximal term; 0 is plain FedAvg local training. */
        proxMu: z.number().min(0).max(100).default(0),
        /** The gateways' local optimizer, fresh each round. */
        optimizer: z.enum(['adam', 'sgd']).default('adam'),
      })
      .strict()
      .default({ epochs: 2, batchSize: 32, learningRate: 0.01, proxMu: 0, optimizer: 'adam' }),
    /** Client-side clipping and Gaussian noise; null: none. `delta` is the accountant's target delta. */
    dp: z
      .object({ clipNorm: z.number().gt(0).max(1e6), noiseMultiplier: z.number().min(0).max(100), delta: z.number().gt(0).lt(1).default(1e-5) })
      .strict()
      .nullable()
      .default(null),
    secureAggregation: z
      .object({ enabled: z.boolean(), range: z.number().gt(0).max(1e6).default(1), fractionalBits: z.number().int().min(1).max(24).default(16) })
      .strict()
      .default({ enabled: false, range: 1, fractionalBits: 16 }),
    /** A gateway takes part only if it reports every one of these tags (its trainer's `training.tags`). */
    tags: z.array(tag).max(32).default([]),
    seed: z.union([z.string().min(1).max(128), z.number().int()]).default('outpost-federation'),
    /** Seed of the held-out evaluation data the hub generates. */
    evaluationSeed: z.string().min(1).max(128).default('outpost-federated-eval'),
    /** Stop early once the held-out AUC reaches this; null: run every round. */
    targetAuc: z.number().gt(0).max(1).nullable().default(null),
  })
  .strict();

export type FederationConfigInput = z.input<typeof federationConfigSchema>;
export type FederationConfig = z.output<typeof federationConfigSchema> & { shape: FlModelShape };

/** Largest model a federation may train: a task carries the whole vector, and the sync stream has a message limit. */
export const MAX_FL_PARAMETERS = 500_000;

/** Validate an operator's configuration; HUB_ERR_FL_CONFIG names what is wrong. */
export function parseFederationConfig(input: unknown): FederationConfig {
  const parsed = federationConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HubError('HUB_ERR_FL_CONFIG', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const c = parsed.data;
  const fail = (detail: string): never => {
    throw new HubError('HUB_ERR_FL_CONFIG', detail);
  };
  let profileShape: FlModelShape | null = null;
  try {
    profileShape = profileModelShape(c.profile);
  } catch (err) {
    fail(`profile ${c.profile} has no autoencoder to federate: ${(err as Error).message}`);
  }
  const shape = c.shape ?? profileShape!;
  if (c.secureAggregation.enabled && c.aggregator.kind !== 'fedavg') {
    fail(`secureAggregation with aggregator ${c.aggregator.kind}: a robust aggregator needs the individual updates, which secure aggregation hides; use fedavg`);
  }
  if (c.secureAggregation.enabled && c.minClients > 1000) fail('secureAggregation takes at most 1000 clients a round; lower minClients');
  if (c.secureAggregation.enabled && c.minClients < 3) fail('secureAggregation needs minClients >= 3 (with two, each learns the other\'s update from the sum)');
  if (c.aggregator.kind === 'trimmed-mean' && c.aggregator.trimFraction === undefined) fail('aggregator.trimFraction is required for trimmed-mean');
  if (c.aggregator.kind !== 'trimmed-mean' && c.aggregator.trimFraction !== undefined) fail(`aggregator.trimFraction applies only to trimmed-mean, not ${c.aggregator.kind}`);
  if (c.serverOptimizer.kind === 'sgd' && (c.serverOptimizer.beta1 ?? c.serverOptimizer.beta2 ?? c.serverOptimizer.tau) !== undefined) fail('beta1, beta2 and tau apply only to fedadam');
  let n = 0;
  try {
    n = parameterCount(shape);
  } catch (err) {
    fail(`shape: ${(err as Error).message}`);
  }
  if (n > MAX_FL_PARAMETERS) fail(`shape has ${n} parameters, more than ${MAX_FL_PARAMETERS}`);
  if (shape.inputSize !== profileShape!.inputSize) fail(`shape.inputSize ${shape.inputSize}: the ${c.profile} featurizer produces ${profileShape!.inputSize} inputs`);
  return Object.freeze({ ...c, shape });
}
