/**
 * Device topic namespace: `outpost/v1/d/{deviceId}/{kind}`.
 * A device may publish and subscribe only below its own `outpost/v1/d/{deviceId}/` prefix.
 */
export const DEVICE_TOPIC_ROOT = 'outpost/v1/d';

/** Kinds a device publishes (device → gateway). */
export const DEVICE_UPLINK_KINDS = ['telemetry', 'events', 'state', 'command-results'] as const;
/** Kinds the gateway publishes to a device (gateway → device). */
export const DEVICE_DOWNLINK_KINDS = ['config', 'commands', 'errors'] as const;

export type DeviceUplinkKind = (typeof DEVICE_UPLINK_KINDS)[number];
export type DeviceDownlinkKind = (typeof DEVICE_DOWNLINK_KINDS)[number];
export type DeviceTopicKind = DeviceUplinkKind | DeviceDownlinkKind;

/** Device ids are 1–64 characters of [A-Za-z0-9_.-], starting with a letter or digit (no MQTT wildcards or slashes). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID_PATTERN.test(id);
}

function assertDeviceId(id: string): void {
  if (!isValidDeviceId(id)) throw new RangeError(`invalid device id ${JSON.stringify(id)}: expected ${DEVICE_ID_PATTERN}`);
}

/** The prefix (ending in `/`) of every topic that belongs to `deviceId`. */
export function deviceTopicPrefix(deviceId: string): string {
  assertDeviceId(deviceId);
  return `${DEVICE_TOPIC_ROOT}/${deviceId}/`;
}

export function deviceTopic(deviceId: string, kind: DeviceTopicKind): string {
  return deviceTopicPrefix(deviceId) + kind;
}

export const deviceTopics = {
  telemetry: (deviceId: string) => deviceTopic(deviceId, 'telemetry'),
  events: (deviceId: string) => deviceTopic(deviceId, 'events'),
  state: (deviceId: string) => deviceTopic(deviceId, 'state'),
  config: (deviceId: string) => deviceTopic(deviceId, 'config'),
  commands: (deviceId: string) => deviceTopic(deviceId, 'commands'),
  commandResults: (deviceId: string) => deviceTopic(deviceId, 'command-results'),
  errors: (deviceId: string) => deviceTopic(deviceId, 'errors'),
  /** Subscription filter for everything a device receives. */
  allOf: (deviceId: string) => `${deviceTopicPrefix(deviceId)}#`,
} as const;

export interface ParsedDeviceTopic {
  deviceId: string;
  kind: DeviceTopicKind;
}

const ALL_KINDS: ReadonlySet<string> = new Set<string>([...DEVICE_UPLINK_KINDS, ...DEVICE_DOWNLINK_KINDS]);
const UPLINK_KINDS: ReadonlySet<string> = new Set<string>(DEVICE_UPLINK_KINDS);

/** Parse a concrete device topic; `null` when the topic is not a well-formed device topic. */
export function parseDeviceTopic(topic: string): ParsedDeviceTopic | null {
  if (!topic.startsWith(DEVICE_TOPIC_ROOT + '/')) return null;
  const rest = topic.slice(DEVICE_TOPIC_ROOT.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const deviceId = rest.slice(0, slash);
  const kind = rest.slice(slash + 1);
  if (!isValidDeviceId(deviceId) || !ALL_KINDS.has(kind)) return null;
  return { deviceId, kind: kind as DeviceTopicKind };
}

export function isUplinkKind(kind: DeviceTopicKind): kind is DeviceUplinkKind {
  return UPLINK_KINDS.has(kind);
}
