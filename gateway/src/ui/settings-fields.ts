/**
 * Configuration keys the settings page edits. The configuration is frozen at startup, so every change
 * here applies after a restart; `restart` says so on the page.
 */
export const UI_SETTINGS = [
  { key: 'sync.hubUrl', label: 'Hub address (host:port)', group: 'Hub', secret: false },
  { key: 'sync.enrollmentToken', label: 'Enrollment token', group: 'Hub', secret: true },
  { key: 'sync.tls', label: 'Connect to the hub over TLS', group: 'Hub', secret: false },
  { key: 'store.maxAgeDays', label: 'Keep raw readings for (days)', group: 'Retention', secret: false },
  { key: 'store.maxBytes', label: 'Store disk budget (bytes)', group: 'Retention', secret: false },
  { key: 'limits.maxPayloadBytes', label: 'Largest message (bytes)', group: 'Limits', secret: false },
  { key: 'limits.deviceMsgsPerSec', label: 'Messages per second per device', group: 'Limits', secret: false },
  { key: 'limits.deviceBurst', label: 'Burst per device (messages)', group: 'Limits', secret: false },
  { key: 'limits.maxConnectionsPerAddress', label: 'Connections per source address', group: 'Limits', secret: false },
].map((s) => ({ ...s, restart: true, path: s.key.split('.') }));

export type UiSetting = (typeof UI_SETTINGS)[number];

export function getPath(source: unknown, path: readonly string[]): unknown {
  let node = source;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[path[path.length - 1]!];
  else node[path[path.length - 1]!] = value;
}
