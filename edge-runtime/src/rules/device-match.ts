/** Compile a rule's `devices` list: exact ids, and prefixes written `prefix*` (`*` alone matches every device). */
export function compileDeviceMatcher(patterns: readonly string[] | undefined): (deviceId: string) => boolean {
  if (!patterns) return () => true;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (deviceId) => exact.has(deviceId) || prefixes.some((prefix) => deviceId.startsWith(prefix));
}
