import { POWER_SOURCES } from '@outpost/protocols';
import { z } from 'zod';

const percent = z.number().min(0).max(100);

/**
 * What a simulated power file holds (and `power.fixed` sets): the readings a battery-less box pretends to
 * have. Fields left out read as "not known" (null). docs/power.md shows an example.
 */
export const simulatedSampleSchema = z
  .object({
    source: z.enum(POWER_SOURCES),
    batteryPercent: percent.nullable().optional(),
    charging: z.boolean().nullable().optional(),
    cpuLoadPercent: percent.nullable().optional(),
    cpuTempC: z.number().finite().min(-100).max(250).nullable().optional(),
  })
  .strict();
export type SimulatedSample = z.output<typeof simulatedSampleSchema>;

/** The `power` section of the edge-runtime's configuration (thresholds: docs/power.md). */
export const powerConfigSchema = z
  .object({
    source: z
      .enum(['system', 'file', 'fixed'])
      .default('system')
      .describe('Where the power readings come from: "system" (the hardware, through systeminformation), "file" (a JSON file re-read at every sample; simulated) or "fixed" (the power.fixed.* values; simulated).'),
    file: z.string().min(1).optional().describe('The simulated power file for source "file", e.g. {"source":"battery","batteryPercent":42,"charging":false}.'),
    fixed: z
      .object({
        source: z.enum(POWER_SOURCES).default('battery').describe('Simulated power source for source "fixed".'),
        batteryPercent: percent.optional().describe('Simulated battery level for source "fixed"; unset: not known.'),
        charging: z.boolean().optional().describe('Simulated charging state for source "fixed"; unset: not known.'),
      })
      .strict()
      .prefault({}),
    sampleIntervalMs: z.number().int().min(100).max(3_600_000).default(10_000).describe('How often the power source is read and the mode re-evaluated.'),
    publishIntervalMs: z.number().int().min(1000).max(3_600_000).default(30_000).describe('How often the power mode is published (retained) besides every change.'),
    saverBelowPercent: percent.default(30).describe('On battery, below this level the mode becomes saver…'),
    saverExitPercent: percent.default(40).describe('…and leaves saver only at or above this level (hysteresis).'),
    criticalBelowPercent: percent.default(10).describe('On battery, below this level the mode becomes critical…'),
    criticalExitPercent: percent.default(15).describe('…and leaves critical only at or above this level.'),
    hotAboveC: z.number().min(0).max(150).default(80).describe('On mains, a CPU at or above this temperature makes the mode balanced instead of performance…'),
    hotExitC: z.number().min(0).max(150).default(70).describe('…until it cools below this one.'),
    confirmSamples: z.number().int().min(1).max(100).default(2).describe('Consecutive samples that must ask for another mode before it changes (one odd reading changes nothing).'),
    minDwellMs: z.number().int().min(0).max(86_400_000).default(60_000).describe('Least time in a mode before a move to a less restrictive one; moves to a more restrictive mode are not delayed.'),
    saverBatchWindowMs: z.number().int().min(0).max(1000).default(250).describe('Scoring batch window in saver (longer windows, fewer model runs); at least scoring.batchWindowMs.'),
    criticalBatchWindowMs: z.number().int().min(0).max(1000).default(1000).describe('Scoring batch window in critical; at least scoring.batchWindowMs.'),
  })
  .strict()
  .prefault({});

export type PowerConfig = z.output<typeof powerConfigSchema>;

/** Cross-field rules of the power section: every hysteresis band must be a band, in the right order. */
export function powerConfigProblems(c: PowerConfig): { key: keyof PowerConfig; message: string }[] {
  const problems: { key: keyof PowerConfig; message: string }[] = [];
  if (c.source === 'file' && !c.file) problems.push({ key: 'file', message: 'power.source "file" needs power.file' });
  if (!(c.saverBelowPercent < c.saverExitPercent)) problems.push({ key: 'saverExitPercent', message: `must be above saverBelowPercent (${c.saverBelowPercent}) so that saver has hysteresis` });
  if (!(c.criticalBelowPercent < c.criticalExitPercent)) problems.push({ key: 'criticalExitPercent', message: `must be above criticalBelowPercent (${c.criticalBelowPercent}) so that critical has hysteresis` });
  if (!(c.criticalBelowPercent < c.saverBelowPercent)) problems.push({ key: 'criticalBelowPercent', message: `must be below saverBelowPercent (${c.saverBelowPercent})` });
  if (!(c.criticalExitPercent <= c.saverExitPercent)) problems.push({ key: 'criticalExitPercent', message: `must not exceed saverExitPercent (${c.saverExitPercent})` });
  if (!(c.hotExitC < c.hotAboveC)) problems.push({ key: 'hotExitC', message: `must be below hotAboveC (${c.hotAboveC}) so that the heat rule has hysteresis` });
  return problems;
}
