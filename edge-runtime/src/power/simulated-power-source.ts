import { readFile } from 'node:fs/promises';
import { RuntimeError } from '../errors.js';
import { type SimulatedSample, simulatedSampleSchema } from './power-config.js';
import type { PowerSample, PowerSource } from './power-source.js';

function toSample(values: SimulatedSample): PowerSample {
  return {
    source: values.source,
    batteryPercent: values.batteryPercent ?? null,
    charging: values.charging ?? null,
    cpuLoadPercent: values.cpuLoadPercent ?? null,
    cpuTempC: values.cpuTempC ?? null,
    simulated: true,
  };
}

/**
 * Simulated power for boxes without a battery (and for tests and demos): a JSON file re-read at every
 * sample, so whoever writes it drives the mode, or fixed values from the configuration. Every sample says
 * `simulated: true`, and so does every power mode published from it. Write the file atomically (temp file
 * and rename): a half-written file is refused with RT_ERR_POWER_SOURCE and the mode stays as it was.
 */
export class SimulatedPowerSource implements PowerSource {
  readonly simulated = true;
  readonly description: string;

  private constructor(
    private readonly file: string | null,
    private readonly fixed: SimulatedSample | null,
  ) {
    this.description = file ? `file ${file}` : 'fixed';
  }

  static fromFile(file: string): SimulatedPowerSource {
    return new SimulatedPowerSource(file, null);
  }

  static fixed(values: SimulatedSample): SimulatedPowerSource {
    return new SimulatedPowerSource(null, simulatedSampleSchema.parse(values));
  }

  async read(): Promise<PowerSample> {
    if (!this.file) return toSample(this.fixed!);
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      throw new RuntimeError('RT_ERR_POWER_SOURCE', `cannot read the simulated power file ${this.file}: ${(cause as Error).message}`, { cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new RuntimeError('RT_ERR_POWER_SOURCE', `simulated power file ${this.file} is not JSON: ${(cause as Error).message}`, { cause });
    }
    const parsed = simulatedSampleSchema.safeParse(json);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
      throw new RuntimeError('RT_ERR_POWER_SOURCE', `simulated power file ${this.file}: ${detail}`);
    }
    return toSample(parsed.data);
  }
}
