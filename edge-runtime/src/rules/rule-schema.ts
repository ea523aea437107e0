import { NAME_PATTERN } from '@outpost/protocols';
import { z } from 'zod';

/** Bounds of the rules file and of the state each rule keeps per device (docs/rules.md lists them). */
export const RULE_LIMITS = {
  maxRules: 1000,
  maxConditions: 16,
  maxDepth: 4,
  maxWindowMs: 86_400_000,
  maxCountReadings: 10_000,
  /** A sliding window keeps at most this many readings; beyond it the oldest leave early (counted). */
  maxSlidingPoints: 10_000,
  maxForAtLeastMs: 7 * 86_400_000,
  maxDevicePatterns: 256,
} as const;

export const COMPARISON_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

const metric = z.string().regex(NAME_PATTERN, 'a metric name: 1-64 characters of [A-Za-z0-9_.-] starting with a letter');
const op = z.enum(COMPARISON_OPS);
const value = z.number().finite();

const windowSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tumbling'), ms: z.number().int().min(1).max(RULE_LIMITS.maxWindowMs) }).strict(),
  z.object({ type: z.literal('sliding'), ms: z.number().int().min(1).max(RULE_LIMITS.maxWindowMs) }).strict(),
  z.object({ type: z.literal('count'), readings: z.number().int().min(1).max(RULE_LIMITS.maxCountReadings) }).strict(),
]);
export type WindowSpec = z.infer<typeof windowSpecSchema>;

const thresholdShape = { kind: z.literal('threshold'), metric, op, value };
const windowShape = { kind: z.literal('window'), metric, aggregate: z.enum(AGGREGATES), window: windowSpecSchema, op, value };

export type ThresholdCondition = { kind: 'threshold'; metric: string; op: ComparisonOp; value: number };
export type WindowCondition = { kind: 'window'; metric: string; aggregate: Aggregate; window: WindowSpec; op: ComparisonOp; value: number };
export type CompositeCondition = { kind: 'any' | 'all'; conditions: Condition[] };
export type Condition = ThresholdCondition | WindowCondition | CompositeCondition;

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object(thresholdShape).strict(),
    z.object(windowShape).strict(),
    z.object({ kind: z.enum(['any', 'all']), conditions: z.array(conditionSchema).min(1).max(RULE_LIMITS.maxConditions) }).strict(),
  ]),
);

/** `pump-17` matches that device; `pump-*` every device whose id starts with `pump-`; `*` every device. */
const devicePattern = z.string().regex(/^[A-Za-z0-9_.-]{0,64}\*?$/, 'a device id, or an id prefix followed by a single trailing *').min(1);

const ruleMeta = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, '1-64 characters of [A-Za-z0-9_.-] starting with a letter or digit'),
  description: z.string().max(256).optional(),
  devices: z.array(devicePattern).min(1).max(RULE_LIMITS.maxDevicePatterns).optional(),
  forAtLeastMs: z.number().int().min(0).max(RULE_LIMITS.maxForAtLeastMs).optional(),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  cooldownMs: z.number().int().min(0).optional(),
};

const ruleSchema = z.discriminatedUnion('kind', [
  z.object({ ...ruleMeta, ...thresholdShape }).strict(),
  z.object({ ...ruleMeta, ...windowShape }).strict(),
  z.object({ ...ruleMeta, kind: z.enum(['any', 'all']), conditions: z.array(conditionSchema).min(1).max(RULE_LIMITS.maxConditions) }).strict(),
]);
export type Rule = z.output<typeof ruleSchema>;

export const rulesFileSchema = z
  .object({
    version: z.literal(1).default(1),
    rules: z.array(z.unknown()).max(RULE_LIMITS.maxRules),
  })
  .strict();

export { ruleSchema };
