import { z } from 'zod';

// What a gateway adds to a device's synced state (gateway/src/power/device-state-power.ts). Checked here
// because the hub stores state as the gateway sent it: an older or odd gateway yields nulls, not errors.
const forecastSchema = z.object({
  percent: z.number().finite().min(0).max(100),
  percentPerDay: z.number().finite(),
  emptyAt: z.number().int().nullable(),
  basedOnSamples: z.number().int().min(0),
  spanMs: z.number().int().min(0),
});
const batterySchema = z.object({ percent: z.number().finite().min(0).max(100) });

export type BatteryForecastView = z.infer<typeof forecastSchema>;

/** The battery level, forecast and reporting mode found in a device's synced state (null when absent or malformed). */
export function devicePowerOf(state: Record<string, unknown>): { batteryPercent: number | null; batteryForecast: BatteryForecastView | null; adaptiveReporting: boolean | null } {
  const battery = batterySchema.safeParse(state.battery);
  const forecast = forecastSchema.safeParse(state.batteryForecast);
  return {
    batteryPercent: battery.success ? battery.data.percent : null,
    batteryForecast: forecast.success ? forecast.data : null,
    adaptiveReporting: typeof state.adaptiveReporting === 'boolean' ? state.adaptiveReporting : null,
  };
}
