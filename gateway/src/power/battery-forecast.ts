import type { BatteryPoint } from './battery-history.js';

const DAY_MS = 86_400_000;
/** How much history the fit looks at: the last week before the device's newest point. */
export const FORECAST_WINDOW_MS = 7 * DAY_MS;
const MIN_POINTS = 3;
const MIN_SPAN_MS = 15 * 60_000;

export interface BatteryForecast {
  /** Slope of the least-squares line of percent over time; negative while draining. */
  percentPerDay: number;
  /** When the line reaches 0 %, epoch ms (device time); null when the battery is not draining. */
  emptyAt: number | null;
  basedOnSamples: number;
  /** Time between the first and the last point used. */
  spanMs: number;
}

/**
 * A least-squares line through the battery points (percent over the device's time), or null with fewer
 * than 3 points or less than 15 minutes between the first and the last. Time is centred on the first
 * point and counted in days, so the sums stay well conditioned.
 */
export function forecastBattery(points: readonly BatteryPoint[]): BatteryForecast | null {
  const n = points.length;
  if (n < MIN_POINTS) return null;
  const t0 = points[0]!.ts;
  const spanMs = points[n - 1]!.ts - t0;
  if (spanMs < MIN_SPAN_MS) return null;
  let meanX = 0;
  let meanY = 0;
  for (const p of points) {
    meanX += (p.ts - t0) / DAY_MS;
    meanY += p.percent;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const dx = (p.ts - t0) / DAY_MS - meanX;
    sxx += dx * dx;
    sxy += dx * (p.percent - meanY);
  }
  const slope = sxy / sxx;
  const lastX = spanMs / DAY_MS;
  const fittedNow = Math.min(100, Math.max(0, meanY + slope * (lastX - meanX)));
  const emptyAt = slope < 0 ? Math.round(points[n - 1]!.ts + (fittedNow / -slope) * DAY_MS) : null;
  return { percentPerDay: Math.round(slope * 1000) / 1000, emptyAt, basedOnSamples: n, spanMs };
}
