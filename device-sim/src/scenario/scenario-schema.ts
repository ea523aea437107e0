import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SimError } from '../errors.js';
import { ANOMALY_TYPES, PROFILE_NAMES } from '@outpost/models/signals';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const seconds = z.number().positive().max(86_400);
const hostPort = z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7000');
/** How many of the connected devices a phase acts on, lowest run index first (default: all). */
const deviceCount = z.number().int().min(1).optional();

const ramp = z
  .object({
    type: z.literal('ramp'),
    devices: z.number().int().min(1).max(1_000_000),
    connectRatePerSec: z.number().min(0).default(1000),
    timeoutS: seconds.default(120),
  })
  .strict();
const steady = z.object({ type: z.literal('steady'), durationS: seconds }).strict();
const storm = z
  .object({
    type: z.literal('reconnect-storm'),
    devices: deviceCount,
    holdMs: z.number().int().min(0).max(3_600_000).default(1000),
    timeoutS: seconds.default(120),
  })
  .strict();
const partition = z
  .object({
    type: z.literal('partition'),
    target: z.string().regex(/^(devices|[A-Za-z][A-Za-z0-9_-]{0,31})$/, 'must be "devices" or the name of an entry in proxies'),
    mode: z.enum(['drop', 'hold']).default('drop'),
    durationS: seconds,
  })
  .strict();
const clockSkew = z.object({ type: z.literal('clock-skew'), devices: deviceCount, offsetMs: z.number().int().min(-31_536_000_000).max(31_536_000_000), durationS: seconds.optional() }).strict();
const anomalies = z
  .object({
    type: z.literal('anomalies'),
    devices: deviceCount,
    rate: z.number().min(0).max(1),
    types: z.array(z.enum(ANOMALY_TYPES)).min(1).optional(),
    durationS: seconds,
  })
  .strict();
const battery = z
  .object({
    type: z.literal('battery-drain'),
    devices: deviceCount,
    drainMultiplier: z.number().positive().max(1_000_000),
    charging: z.boolean().nullable().default(false),
    durationS: seconds,
  })
  .strict();

const PHASE_TYPES = ['ramp', 'steady', 'reconnect-storm', 'partition', 'clock-skew', 'anomalies', 'battery-drain'] as const;
const phase = z.discriminatedUnion('type', [ramp, steady, storm, partition, clockSkew, anomalies, battery], {
  error: (issue) => (issue.code === 'invalid_union' ? `must have "type" one of ${PHASE_TYPES.join(', ')}` : undefined),
});

export const scenarioSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    target: z
      .object({
        url: z.string().regex(/^(mqtt|tcp):\/\/[^/]+$/, 'must be mqtt://host:port').optional(),
        /** Relative to the scenario file. */
        credentials: z.string().min(1).optional(),
        gatewayApi: z.string().url().optional(),
      })
      .strict()
      .default({}),
    devices: z
      .object({
        idPrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/, 'must be 1-41 characters of [A-Za-z0-9_.-]').default('scn-'),
        ratePerSec: z.number().positive().max(10_000).default(1),
        qos: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' }).default(1),
        encoding: z.enum(['json', 'cbor']).default('json'),
        sourceAddresses: z.number().int().min(1).max(254).default(1),
        reconnectMs: z.number().int().min(0).default(1000),
        profile: z.enum([...PROFILE_NAMES, 'mixed']).default('mixed'),
        seed: z.union([z.number(), z.string()]).default(1),
        timeScale: z.number().positive().default(1),
        anomalyRate: z.number().min(0).max(1).default(0),
      })
      .strict()
      .default({ idPrefix: 'scn-', ratePerSec: 1, qos: 1, encoding: 'json', sourceAddresses: 1, reconnectMs: 1000, profile: 'mixed', seed: 1, timeScale: 1, anomalyRate: 0 }),
    proxies: z
      .array(z.object({ name: z.string().regex(NAME, 'must be a name of [A-Za-z0-9_-] starting with a letter'), listen: hostPort, target: hostPort }).strict())
      .default([]),
    phases: z.array(phase).min(1, 'must list at least one phase'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.phases[0]?.type !== 'ramp') ctx.addIssue({ code: 'custom', path: ['phases', 0, 'type'], message: 'the first phase must be a ramp (it connects the devices)' });
    const names = new Set(s.proxies.map((p) => p.name));
    s.phases.forEach((p, i) => {
      if (p.type === 'partition' && p.target !== 'devices' && !names.has(p.target)) {
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'target'], message: `no proxy named "${p.target}" (proxies: ${[...names].join(', ') || 'none'}; or "devices")` });
      }
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioPhase = Scenario['phases'][number];

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || '(top level)';
}

/** Validate a parsed scenario; a bad one throws SIM_ERR_SCENARIO listing every bad field as `path: expectation`. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${pathOf(issue.path)}: ${issue.message}`);
  throw new SimError('SIM_ERR_SCENARIO', `${source} is not a valid scenario:\n${lines.join('\n')}`);
}

export async function readScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SimError('SIM_ERR_SCENARIO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SimError('SIM_ERR_SCENARIO', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  return parseScenario(parsed, path);
}
