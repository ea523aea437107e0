export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export const time = (ms: number) => new Date(ms).toLocaleString();

export interface BatteryForecast {
  percentPerDay: number;
  emptyAt: number | null;
  basedOnSamples: number;
  spanMs: number;
}

/** "−1.2 %/day, empty in about 34 d" from the gateway's least-squares battery forecast. */
export function batteryForecastText(f: BatteryForecast | null | undefined, now = Date.now()): string {
  if (!f) return 'not enough history';
  const rate = `${f.percentPerDay > 0 ? '+' : f.percentPerDay < 0 ? '−' : ''}${Math.abs(f.percentPerDay).toFixed(Math.abs(f.percentPerDay) >= 10 ? 0 : 1)} %/day`;
  if (f.emptyAt === null) return `${rate}, not draining`;
  return f.emptyAt <= now ? `${rate}, empty now` : `${rate}, empty in about ${duration(f.emptyAt - now)}`;
}
