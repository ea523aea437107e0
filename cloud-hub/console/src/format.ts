import type { BatteryForecast, Gateway } from './api.js';

export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return 'never';
  return `${duration(Math.max(0, now - ms))} ago`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export const time = (ms: number) => new Date(ms).toLocaleString();

/** The power mode as shown everywhere: "saver (simulated)" when the readings are simulated. */
export function powerText(g: Pick<Gateway, 'powerMode' | 'powerSimulated'>): string {
  if (!g.powerMode) return 'not reported';
  return g.powerSimulated ? `${g.powerMode} (simulated)` : g.powerMode;
}

/** How old the gateway's backlog was when it last said hello (its clock against ours: approximate). */
export function backlogAge(g: Gateway): string {
  if (g.backlogRecords === null) return '—';
  if (g.backlogRecords === 0 || !g.backlogOldestMs || g.lastSeenAt === null) return 'empty';
  return duration(Math.max(0, g.lastSeenAt - g.backlogOldestMs));
}

/** "−1.2 %/day" */
export function rateText(f: BatteryForecast): string {
  const r = f.percentPerDay;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(Math.abs(r) >= 10 ? 0 : 1)} %/day`;
}

/** "empty in about 3 d 4 h (12/03/2026, 10:00)" or "not draining". Device time, so only as good as its clock. */
export function emptyText(f: BatteryForecast, now = Date.now()): string {
  if (f.emptyAt === null) return 'not draining';
  if (f.emptyAt <= now) return 'empty now';
  return `empty in about ${duration(f.emptyAt - now)} (${time(f.emptyAt)})`;
}
