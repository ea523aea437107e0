/**
 * A Li-ion cell: state of charge drained by a load current and refilled while charging, with voltage read
 * off an open-circuit curve. Charging follows a daily window (a small solar panel) when `solar` is set.
 * Issue 8's energy model charges samples and transmissions to it through `consumeMah`.
 */

/** Open-circuit voltage by state of charge, typical of a 3.7 V Li-ion cell (3.0 V empty, 4.2 V full). */
const OCV_CURVE: readonly (readonly [soc: number, volts: number])[] = [
  [0, 3.0],
  [0.05, 3.3],
  [0.1, 3.45],
  [0.2, 3.6],
  [0.4, 3.7],
  [0.6, 3.8],
  [0.8, 3.95],
  [0.95, 4.1],
  [1, 4.2],
];

export function openCircuitVolts(soc: number): number {
  const s = Math.min(1, Math.max(0, soc));
  for (let i = 1; i < OCV_CURVE.length; i++) {
    const [s1, v1] = OCV_CURVE[i]!;
    const [s0, v0] = OCV_CURVE[i - 1]!;
    if (s <= s1) return v0 + ((v1 - v0) * (s - s0)) / (s1 - s0);
  }
  return 4.2;
}

export interface BatteryOptions {
  capacityMah: number;
  /** Initial state of charge, 0..1. */
  soc: number;
  /** Average load current of the device, mA. */
  loadMa: number;
  /** Charge current while charging, mA (0 = never charges). */
  chargeMa: number;
  /** Charges only between these UTC hours (solar); omit to charge never unless `charging` is set. */
  chargeHoursUtc?: readonly [from: number, to: number];
}

export class BatteryModel {
  soc: number;
  /** Multiplies the load current; the scenario's battery-drain phase raises it. */
  drainMultiplier = 1;
  /** Forces charging on or off regardless of the solar window; `undefined` follows the window. */
  charging: boolean | undefined;

  constructor(readonly options: BatteryOptions) {
    this.soc = options.soc;
  }

  isCharging(signalTimeMs: number): boolean {
    if (this.charging !== undefined) return this.charging && this.options.chargeMa > 0;
    const window = this.options.chargeHoursUtc;
    if (!window || this.options.chargeMa <= 0) return false;
    const hour = (signalTimeMs / 3_600_000) % 24;
    return hour >= window[0] && hour < window[1];
  }

  /** Advance by `dtMs` of signal time. */
  step(signalTimeMs: number, dtMs: number): void {
    const hours = dtMs / 3_600_000;
    const charge = this.isCharging(signalTimeMs) ? this.options.chargeMa : 0;
    const netMa = charge - this.options.loadMa * this.drainMultiplier;
    this.consumeMah(-netMa * hours);
  }

  /** Take (or, negative, give back) charge in mAh. */
  consumeMah(mah: number): void {
    this.soc = Math.min(1, Math.max(0, this.soc - mah / this.options.capacityMah));
  }

  /** Terminal voltage: open-circuit voltage, lifted a little while charging. */
  volts(signalTimeMs: number): number {
    return openCircuitVolts(this.soc) + (this.isCharging(signalTimeMs) && this.soc < 1 ? 0.05 : 0);
  }
}
