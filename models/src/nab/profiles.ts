/** A NAB application profile: the weights of a true positive, a false positive and a missed window. */
export interface NabProfile {
  name: NabProfileName;
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export type NabProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

/** The three profiles of NAB (config/profiles.json of the reference corpus). */
export const NAB_PROFILES: readonly NabProfile[] = Object.freeze([
  { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
]);

/** NAB's probationary share of every series, before the cap. */
export const PROBATION_FRACTION = 0.15;

/**
 * Points at the start of a series that are not scored: NAB takes min(floor(0.15 n), 0.15 × 5000), so the
 * probation is capped at 750 points for the long series (the tweet volumes).
 */
export function probationLength(pointCount: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * pointCount), PROBATION_FRACTION * 5000);
}
