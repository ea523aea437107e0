import { HubError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `24h`, `7d` or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new HubError('HUB_ERR_BAD_REQUEST', `"${text}" is not a duration; use e.g. 30m, 24h, 7d or milliseconds`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}
