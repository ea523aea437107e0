import { type CommandMessage, type DecodedHubMessage, type DesiredStateMessage, type DeviceConfig, type FlTaskMessage, type GatewayMessage, ProtocolError, decodeMessage, deviceTopics, encodeMessage, isValidDeviceId } from '@outpost/protocols';
import type { Logger } from '../../observability/logger.js';

const MAX_REMEMBERED_COMMANDS = 10_000;

export interface DownlinkDeps {
  /** Publish to a device topic on the embedded broker (QoS 1); `done` after the broker took it. */
  publish(topic: string, payload: Buffer, retain: boolean, done: (err?: Error) => void): void;
  /**
   * Hand a checked desired config to the gateway's device configs, which merge the local reporting
   * policy into it and keep configVersion monotonic. Without it the config is published as is.
   */
  publishConfig?: (deviceId: string, config: DeviceConfig) => void;
  log: Logger;
  now?: () => number;
  /** Where federated-learning tasks go (the relay to edge-runtime); ignored without it. */
  flTask?: (task: FlTaskMessage, send: (m: GatewayMessage) => boolean) => void;
}

/**
 * Hub → gateway → device. Desired state is published retained on the device's config topic (highest
 * version wins); commands go to its commands topic once per command id, and the hub hears `delivered`
 * (or `expired`, or `rejected` for a command that cannot be sent). The device's own answer comes back
 * through ingest as a `commandResult` outbox record.
 */
export function createHubDownlink(deps: DownlinkDeps) {
  const now = deps.now ?? Date.now;
  const configVersions = new Map<string, number>();
  // Bounded memory of commands seen (policy when full: forget the oldest); a forgotten id seen again is
  // published again, and devices dedupe by commandId as the protocol asks.
  const commands = new Map<string, string>();
  const counts = { desiredStates: 0, commandsDelivered: 0, commandsDuplicate: 0, commandsExpired: 0, commandsRejected: 0 };

  function remember(commandId: string, status: string): void {
    commands.delete(commandId);
    commands.set(commandId, status);
    if (commands.size > MAX_REMEMBERED_COMMANDS) commands.delete(commands.keys().next().value as string);
  }

  function desiredState(message: DesiredStateMessage): void {
    if (!isValidDeviceId(message.deviceId)) return void deps.log.warn({ deviceId: message.deviceId }, 'desired state for an invalid device id ignored');
    if ((configVersions.get(message.deviceId) ?? -1) >= message.version) return;
    let payload: Buffer;
    let config: DeviceConfig;
    try {
      config = decodeMessage('deviceConfig', message.config).message;
      payload = encodeMessage('deviceConfig', config);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return void deps.log.warn({ deviceId: message.deviceId, version: message.version, err }, 'desired state with an invalid config ignored');
    }
    configVersions.set(message.deviceId, message.version);
    counts.desiredStates++;
    if (deps.publishConfig) return deps.publishConfig(message.deviceId, config);
    deps.publish(deviceTopics.config(message.deviceId), payload, true, (err) => err && deps.log.warn({ err, deviceId: message.deviceId }, 'config not published'));
  }

  function command(message: CommandMessage, send: (m: GatewayMessage) => boolean): void {
    const reply = (status: string, body?: object) => send({ commandResult: { commandId: message.commandId, status, body: Buffer.from(body ? JSON.stringify(body) : '') } });
    const seen = commands.get(message.commandId);
    if (seen) {
      // Seen before: the hub resends until it hears a status, so say it again (never publish twice).
      counts.commandsDuplicate++;
      return void reply(seen);
    }
    if (message.expiresAtMs > 0 && message.expiresAtMs <= now()) {
      counts.commandsExpired++;
      remember(message.commandId, 'expired');
      return void reply('expired');
    }
    let payload: Buffer;
    try {
      if (!isValidDeviceId(message.deviceId)) throw new ProtocolError('E_SCHEMA', `invalid device id ${JSON.stringify(message.deviceId)}`);
      const args = message.args.length > 0 ? (JSON.parse(message.args.toString('utf8')) as Record<string, unknown>) : undefined;
      payload = encodeMessage('command', {
        v: 1,
        commandId: message.commandId,
        name: message.name,
        ...(args ? { args } : {}),
        issuedAt: Math.max(0, now()),
        ...(message.expiresAtMs > 0 ? { expiresAt: message.expiresAtMs } : {}),
      });
    } catch (err) {
      counts.commandsRejected++;
      remember(message.commandId, 'rejected');
      return void reply('rejected', { message: (err as Error).message.slice(0, 500) });
    }
    deps.publish(deviceTopics.commands(message.deviceId), payload, false, (err) => {
      if (err) return deps.log.warn({ err, commandId: message.commandId }, 'command not published; the hub will resend it');
      counts.commandsDelivered++;
      remember(message.commandId, 'delivered');
      reply('delivered');
    });
  }

  return {
    counts,
    handle(message: DecodedHubMessage, send: (m: GatewayMessage) => boolean): void {
      if (message.body === 'desiredState' && message.desiredState) desiredState(message.desiredState);
      else if (message.body === 'command' && message.command) command(message.command, send);
      else if (message.body === 'flTask' && message.flTask) deps.flTask?.(message.flTask, send);
    },
  };
}

export type HubDownlink = ReturnType<typeof createHubDownlink>;
