/**
 * Per device and alert kind, the reading time of the last alert: another one within `cooldownMs` of it is
 * suppressed, so a 30-reading drift gives one alert, not 30. Reading time, not wall time, so a replayed or
 * backlogged stream behaves as it did live. A clock that steps back (ts before the last alert) is allowed
 * through and restarts the cooldown. Bounded: past `maxKeys` the entry touched longest ago is forgotten
 * (the worst case is one extra alert for that device and kind).
 */
export class AlertCooldown {
  private readonly last = new Map<string, number>();
  forgotten = 0;

  constructor(private readonly maxKeys: number) {}

  /** True when an alert may be raised now; it is then recorded. */
  allow(source: string, kind: string, deviceId: string, ts: number, cooldownMs: number): boolean {
    const key = `${source}\u0000${kind}\u0000${deviceId}`;
    const previous = this.last.get(key);
    if (previous !== undefined && ts >= previous && ts - previous < cooldownMs) return false;
    this.last.delete(key);
    if (this.last.size >= this.maxKeys) {
      this.last.delete(this.last.keys().next().value!);
      this.forgotten++;
    }
    this.last.set(key, ts);
    return true;
  }

  get size(): number {
    return this.last.size;
  }
}
