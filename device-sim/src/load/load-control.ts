import type { AnomalyType } from '@outpost/models/signals';
import type { LoadCommand } from './worker-protocol.js';

/** What a reconnect storm cost: how many devices dropped and how long until every one had its CONNACK again. */
export interface DropResult {
  dropped: number;
  /** Devices still without a CONNACK when the run stopped (0 when all came back). */
  stillDown: number;
  holdMs: number;
  /** From the drop to the last device's CONNACK; null when some never came back. */
  allBackMs: number | null;
}

type Recovered = { dropped: number; lastBackAtMs: number | null; stillDown: number };

/**
 * Steers a running `runDeviceLoad` (scenarios, storms): pass it as `control`, then call its methods once
 * `ready` resolves. Device ranges are run indexes [from, to). Commands reach every worker in order.
 */
export class LoadControl {
  private send: ((command: LoadCommand) => void) | undefined;
  private workers = 0;
  private nextDropId = 1;
  private readonly drops = new Map<number, { answers: Recovered[]; droppedAtMs: number; holdMs: number; resolve: (r: DropResult) => void }>();
  private markReady: () => void = () => {};
  /** Resolves when the workers are running and accept commands. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  /** Called by runDeviceLoad. */
  attach(send: (command: LoadCommand) => void, workers: number): void {
    this.send = send;
    this.workers = workers;
    this.markReady();
  }

  /** Called by runDeviceLoad with each worker's answer to a drop. */
  recovered(id: number, answer: Recovered): void {
    const drop = this.drops.get(id);
    if (!drop) return;
    drop.answers.push(answer);
    if (drop.answers.length < this.workers) return;
    this.drops.delete(id);
    const dropped = drop.answers.reduce((n, a) => n + a.dropped, 0);
    const stillDown = drop.answers.reduce((n, a) => n + a.stillDown, 0);
    const backs = drop.answers.filter((a) => a.dropped > 0).map((a) => a.lastBackAtMs);
    const allBack = stillDown === 0 && backs.every((b) => b !== null);
    const last = Math.max(drop.droppedAtMs, ...backs.map((b) => b ?? 0));
    drop.resolve({ dropped, stillDown, holdMs: drop.holdMs, allBackMs: allBack ? (dropped === 0 ? 0 : last - drop.droppedAtMs) : null });
  }

  /** Called by runDeviceLoad when the run is over: drops still waiting for an answer resolve with what arrived. */
  detach(): void {
    this.send = undefined;
    for (const id of [...this.drops.keys()]) {
      const drop = this.drops.get(id)!;
      while (drop.answers.length < this.workers) drop.answers.push({ dropped: 0, lastBackAtMs: null, stillDown: 0 });
      this.recovered(id, { dropped: 0, lastBackAtMs: null, stillDown: 0 });
    }
  }

  private command(command: LoadCommand): void {
    if (!this.send) throw new Error('LoadControl: the run has not started (await control.ready)');
    this.send(command);
  }

  /** Put devices [from, to) on a connect ramp of `ratePerSec` (0 = all at once), starting now. */
  connect(from: number, to: number, ratePerSec: number): void {
    this.command({ type: 'connect', from, to, ratePerSec, startAtMs: Date.now() });
  }

  /** Drop the connected devices among [from, to) at once; they reconnect after `holdMs`. Resolves when all are back or the run stops. */
  drop(from: number, to: number, holdMs: number): Promise<DropResult> {
    const id = this.nextDropId++;
    return new Promise((resolve) => {
      this.drops.set(id, { answers: [], droppedAtMs: Date.now(), holdMs, resolve });
      this.command({ type: 'drop', id, from, to, holdMs });
    });
  }

  skew(from: number, to: number, offsetMs: number): void {
    this.command({ type: 'skew', from, to, offsetMs });
  }

  anomalies(from: number, to: number, rate: number, types?: AnomalyType[]): void {
    this.command({ type: 'anomalies', from, to, rate, types });
  }

  battery(from: number, to: number, drainMultiplier: number, charging: boolean | null): void {
    this.command({ type: 'battery', from, to, drainMultiplier, charging });
  }
}
