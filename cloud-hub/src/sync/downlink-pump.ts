import type { CommandStore, ShadowStore } from '../store/hub-store.js';
import type { StreamWriter } from './stream-writer.js';

export interface DownlinkDeps {
  gatewayId: string;
  shadows: ShadowStore;
  commands: CommandStore;
  writer: StreamWriter;
  pageSize: number;
  onSent: (kind: 'command' | 'desiredState', n: number) => void;
  now: () => number;
}

/**
 * Sends a gateway its desired states and pending commands, reading them from the store one page at a time:
 * the only queue is the store itself, so memory stays bounded whatever the backlog. Cursors start at zero
 * for each stream, so everything still pending is sent again after a reconnect (the gateway dedupes).
 * States: idle → running (→ waiting for drain) → idle; `kick()` while running schedules one more pass.
 */
export class DownlinkPump {
  #commandCursor = 0;
  #desiredCursor = 0;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(private readonly deps: DownlinkDeps) {}

  /** Something may be pending: run a pass (now, or after the current one). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#run().finally(() => (this.#running = false));
  }

  stop(): void {
    this.#stopped = true;
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      for (;;) {
        await this.deps.writer.whenWritable();
        if (this.#stopped) return;
        const sent = this.#sendDesiredPage() + this.#sendCommandPage();
        if (sent === 0) break;
      }
    } while (this.#again && !this.#stopped);
  }

  #sendDesiredPage(): number {
    const { gatewayId, shadows, writer, pageSize } = this.deps;
    const page = shadows.desiredAfter(gatewayId, this.#desiredCursor, pageSize);
    for (const change of page) {
      this.#desiredCursor = change.changeSeq;
      writer.write({ desiredState: { deviceId: change.deviceId, version: change.version, config: Buffer.from(JSON.stringify(change.config)) } });
    }
    if (page.length > 0) this.deps.onSent('desiredState', page.length);
    return page.length;
  }

  #sendCommandPage(): number {
    const { gatewayId, commands, writer, pageSize } = this.deps;
    const page = commands.pendingAfter(gatewayId, this.#commandCursor, this.deps.now(), pageSize);
    for (const c of page) {
      this.#commandCursor = c.rowId;
      writer.write({ command: { commandId: c.commandId, deviceId: c.deviceId, name: c.name, args: Buffer.from(JSON.stringify(c.args)), expiresAtMs: c.expiresAt } });
    }
    if (page.length > 0) {
      commands.markSent(page.map((c) => c.commandId));
      this.deps.onSent('command', page.length);
    }
    return page.length;
  }
}
