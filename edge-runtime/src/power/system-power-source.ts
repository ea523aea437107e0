import si, { type Systeminformation } from 'systeminformation';
import { RuntimeError } from '../errors.js';
import type { PowerSample, PowerSource } from './power-source.js';

/** What systeminformation answered, each query on its own (one may fail while the others work). */
export interface SystemReadings {
  battery: PromiseSettledResult<Pick<Systeminformation.BatteryData, 'hasBattery' | 'isCharging' | 'acConnected' | 'percent'>>;
  load: PromiseSettledResult<Pick<Systeminformation.CurrentLoadData, 'currentLoad'>>;
  temperature: PromiseSettledResult<Pick<Systeminformation.CpuTemperatureData, 'main' | 'max'>>;
}

const finiteOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const clampPercent = (value: number) => Math.min(100, Math.max(0, value));

/**
 * systeminformation's answers as a power sample. A box without a battery reports source "ac": it runs, so
 * something external powers it (systeminformation says `hasBattery: false, acConnected: true` there).
 * With a battery, `acConnected` tells mains from battery. Source "unknown" only when the battery query
 * itself failed. A CPU load or temperature that cannot be read is null, not a failure: many VMs and
 * single-board computers expose no temperature sensor (systeminformation then says null or -1).
 */
export function toPowerSample({ battery, load, temperature }: SystemReadings): PowerSample {
  if (battery.status === 'rejected' && load.status === 'rejected') {
    const reason = battery.reason as Error | undefined;
    throw new RuntimeError('RT_ERR_POWER_SOURCE', `systeminformation failed: ${reason?.message ?? String(reason)}`, { cause: reason });
  }
  const b = battery.status === 'fulfilled' ? battery.value : null;
  const cpuLoad = load.status === 'fulfilled' ? finiteOrNull(load.value.currentLoad) : null;
  const t = temperature.status === 'fulfilled' ? temperature.value : null;
  // `main` is the package temperature; some boards only fill `max`. Zero or below is a missing sensor.
  const sensor = (value: unknown) => {
    const v = finiteOrNull(value);
    return v !== null && v > 0 ? v : null;
  };
  const temp = sensor(t?.main) ?? sensor(t?.max);
  return {
    source: !b ? 'unknown' : !b.hasBattery ? 'ac' : b.acConnected ? 'ac' : 'battery',
    batteryPercent: b?.hasBattery ? clampPercent(finiteOrNull(b.percent) ?? 0) : null,
    charging: b?.hasBattery ? b.isCharging : null,
    cpuLoadPercent: cpuLoad === null ? null : clampPercent(cpuLoad),
    cpuTempC: temp,
    simulated: false,
  };
}

/** The hardware's readings, through systeminformation's battery(), currentLoad() and cpuTemperature(). */
export class SystemPowerSource implements PowerSource {
  readonly simulated = false;
  readonly description = 'system';

  async read(): Promise<PowerSample> {
    const [battery, load, temperature] = await Promise.allSettled([si.battery(), si.currentLoad(), si.cpuTemperature()]);
    return toPowerSample({ battery, load, temperature });
  }
}
