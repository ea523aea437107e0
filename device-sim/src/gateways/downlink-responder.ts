import type { CommandMessage, DesiredStateMessage, GatewayMessage } from '@outpost/protocols';
import type { GatewayStats } from './gateway-stats.js';

/** Commands remembered per gateway (policy when full: forget the oldest; a forgotten id seen again is answered again). */
const MAX_REMEMBERED_COMMANDS = 1000;

/**
 * The downlink side of one simulated gateway. A command is answered as a real gateway and a quick device
 * would: `delivered` (the device has it), then `ok` (the device's result), both as CommandResult messages;
 * a command seen again gets its last status again, an expired one `expired`. Desired states are only
 * counted: the highest version per device wins, older or equal ones are stale.
 */
export class DownlinkResponder {
  readonly #commands = new Map<string, string>();
  readonly #versions = new Map<string, number>();

  constructor(
    private readonly stats: GatewayStats,
    private readonly now: () => number = Date.now,
  ) {}

  command(command: CommandMessage, send: (message: GatewayMessage) => boolean): void {
    const reply = (status: string, body?: object) => send({ commandResult: { commandId: command.commandId, status, body: Buffer.from(body ? JSON.stringify(body) : '') } });
    const seen = this.#commands.get(command.commandId);
    if (seen) {
      this.stats.count('commandsDuplicate');
      reply(seen);
      return;
    }
    this.stats.count('commands');
    if (command.expiresAtMs > 0 && command.expiresAtMs <= this.now()) {
      this.stats.count('commandsExpired');
      this.#remember(command.commandId, 'expired');
      reply('expired');
      return;
    }
    this.#remember(command.commandId, 'ok');
    reply('delivered');
    reply('ok', { simulated: true, name: command.name });
  }

  desiredState(desired: DesiredStateMessage): void {
    if ((this.#versions.get(desired.deviceId) ?? 0) >= desired.version) {
      this.stats.count('desiredStatesStale');
      return;
    }
    this.#versions.set(desired.deviceId, desired.version);
    this.stats.count('desiredStates');
  }

  #remember(commandId: string, status: string): void {
    this.#commands.set(commandId, status);
    if (this.#commands.size > MAX_REMEMBERED_COMMANDS) this.#commands.delete(this.#commands.keys().next().value as string);
  }
}
