import type { PowerSource as PowerSourceKind } from '@outpost/protocols';

/** One reading of the box's power. `null`: the box cannot tell (no battery, no sensor, a failed read). */
export interface PowerSample {
  source: PowerSourceKind;
  batteryPercent: number | null;
  charging: boolean | null;
  cpuLoadPercent: number | null;
  cpuTempC: number | null;
  /** True when the values do not come from the hardware (a file, the configuration). */
  simulated: boolean;
}

/**
 * Where power readings come from. Implementations: SystemPowerSource (the hardware) and
 * SimulatedPowerSource (a file or fixed values; every sample says `simulated: true`). `read()` rejects with
 * RT_ERR_POWER_SOURCE when nothing usable could be read; the caller keeps its current mode.
 */
export interface PowerSource {
  readonly simulated: boolean;
  /** For logs and the status: "system", "file /path", "fixed". */
  readonly description: string;
  read(): Promise<PowerSample>;
}
