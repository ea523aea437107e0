import { type DeviceConfig, type ReportingPolicy, adaptivePolicyOf, deviceTopics, encodeMessage } from '@outpost/protocols';
import type { Logger } from '../observability/logger.js';
import type { DeviceConfigRecord, ReportingStore } from './reporting-store.js';

export interface DeviceConfigsDeps {
  store: ReportingStore;
  /** Publish retained at QoS 1 on the embedded broker. */
  publish(topic: string, payload: Buffer, done: (err?: Error) => void): void;
  /** The reporting policy in force for a device changed (or was published again with a new configVersion). */
  onReporting(deviceId: string, reporting: ReportingPolicy | undefined, configVersion: number): void;
  log: Logger;
  now?: () => number;
}

/**
 * The one writer of devices' config topics. What a device gets is the hub's desired config with the
 * local reporting policy (set through the API) merged over its `reporting`. Every publish carries a
 * configVersion above the last one published, and at least the hub's: a device that sees a new
 * configVersion applies the config and, when reporting is adaptive, starts a new prediction epoch.
 * Configs are retained, and published again at every start (the broker keeps retained messages in memory).
 */
export function createDeviceConfigs(deps: DeviceConfigsDeps) {
  const now = deps.now ?? Date.now;
  const log = deps.log;

  function compose(r: DeviceConfigRecord): DeviceConfig {
    const base: DeviceConfig = r.hubConfig ?? { v: 1, configVersion: 0 };
    const { reporting: hubReporting, ...rest } = base;
    const reporting = r.policy ?? hubReporting;
    return { ...rest, configVersion: r.configVersion, ...(reporting ? { reporting } : {}) };
  }

  /** Save `next` with a configVersion above everything published, then publish it. */
  function publish(next: Omit<DeviceConfigRecord, 'configVersion' | 'updatedAt'>, previous: DeviceConfigRecord | undefined): DeviceConfig {
    const configVersion = Math.max((previous?.configVersion ?? 0) + 1, next.hubConfig?.configVersion ?? 0);
    const record: DeviceConfigRecord = { ...next, configVersion, updatedAt: now() };
    const config = compose(record);
    const payload = encodeMessage('deviceConfig', config);
    deps.store.save(record);
    deps.publish(deviceTopics.config(record.deviceId), payload, (err) => err && log.warn({ err, deviceId: record.deviceId, configVersion }, 'device config not published'));
    deps.onReporting(record.deviceId, config.reporting, configVersion);
    return config;
  }

  return {
    /** The local reporting policy of a device (null: none), and what is in force. */
    view(deviceId: string) {
      const r = deps.store.get(deviceId);
      const config = r ? compose(r) : null;
      return {
        deviceId,
        policy: r?.policy ?? null,
        hubReporting: r?.hubConfig?.reporting ?? null,
        /** What the device was sent: the local policy, else the hub's. */
        effective: config?.reporting ?? null,
        configVersion: r?.configVersion ?? null,
      };
    },
    /** The reporting policy in force for a device, as last published. */
    reportingOf(deviceId: string): ReportingPolicy | undefined {
      const r = deps.store.get(deviceId);
      return r ? compose(r).reporting : undefined;
    },
    setPolicy(deviceId: string, policy: ReportingPolicy): DeviceConfig {
      const previous = deps.store.get(deviceId);
      return publish({ deviceId, policy, hubConfig: previous?.hubConfig ?? null }, previous);
    },
    /** Drop the local policy: the device gets the hub's config again, or a config with no reporting policy. */
    clearPolicy(deviceId: string): DeviceConfig | null {
      const previous = deps.store.get(deviceId);
      if (!previous?.policy) return null;
      return publish({ deviceId, policy: null, hubConfig: previous.hubConfig }, previous);
    },
    /** The hub's desired config (the sync agent has checked it); published unless it is what we hold already. */
    hubDesired(deviceId: string, config: DeviceConfig): void {
      try {
        const previous = deps.store.get(deviceId);
        if (previous?.hubConfig && JSON.stringify(previous.hubConfig) === JSON.stringify(config)) return;
        publish({ deviceId, policy: previous?.policy ?? null, hubConfig: config }, previous);
      } catch (err) {
        // A local store error must not break the sync session that carried the desired state.
        log.error({ err, deviceId }, 'desired config from the hub not applied');
      }
    },
    /** Ask an adaptive device for a new prediction epoch: the same config under a higher configVersion. */
    resync(deviceId: string): void {
      const previous = deps.store.get(deviceId);
      if (!previous) return;
      log.info({ event: 'adaptive-resync', deviceId, configVersion: previous.configVersion + 1 }, 'device config published again: the device restarts its predictors');
      publish({ deviceId, policy: previous.policy, hubConfig: previous.hubConfig }, previous);
    },
    /**
     * At start: publish every known config again. Adaptive ones get a new configVersion, since the
     * predictor state of the gateway did not survive the restart; others keep theirs.
     */
    republishAll(): number {
      let count = 0;
      for (const r of deps.store.all()) {
        const config = compose(r);
        if (adaptivePolicyOf(config.reporting)) publish({ deviceId: r.deviceId, policy: r.policy, hubConfig: r.hubConfig }, r);
        else if (r.configVersion > 0) {
          deps.publish(deviceTopics.config(r.deviceId), encodeMessage('deviceConfig', config), (err) => err && log.warn({ err, deviceId: r.deviceId }, 'device config not published'));
          deps.onReporting(r.deviceId, config.reporting, r.configVersion);
        }
        count++;
      }
      return count;
    },
  };
}

export type DeviceConfigs = ReturnType<typeof createDeviceConfigs>;
