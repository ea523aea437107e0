import { type ChildProcess, spawn } from 'node:child_process';
import { decodeMessage, DEVICE_TOPIC_ROOT } from '@outpost/protocols';
import { OutputTail } from '../src/bench/output-tail.js';
import { stopChild } from '../src/bench/mosquitto.js';

const LINE = /^outpost\/v1\/d\/([^/]+)\/telemetry ([0-9a-f]*)$/;

/**
 * An independent subscriber (Mosquitto's own `mosquitto_sub`) that records every telemetry seq per device,
 * so a test can check what actually reached the broker rather than what the generator believes it sent.
 */
export class TelemetrySubscriber {
  readonly seqs = new Map<string, number[]>();
  received = 0;
  private readonly child: ChildProcess;
  private readonly out: OutputTail;

  private constructor(port: number) {
    // mosquitto_sub block-buffers stdout into a pipe; stdbuf makes it hand over each line as it prints it.
    this.child = spawn(
      '/usr/bin/stdbuf',
      ['-oL', '/usr/bin/mosquitto_sub', '-h', '127.0.0.1', '-p', String(port), '-i', `audit-${process.pid}`, '-q', '1', '-t', `${DEVICE_TOPIC_ROOT}/+/telemetry`, '-F', '%t %x', '-d'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.out = new OutputTail(this.child.stdout, 50);
    new OutputTail(this.child.stderr, 50);
    this.out.onLine((line) => this.onLine(line));
  }

  static async start(port: number, timeoutMs = 5_000): Promise<TelemetrySubscriber> {
    const sub = new TelemetrySubscriber(port);
    // `-d` prints the SUBACK; before it, messages could be published that the subscriber never sees.
    const subscribed = await sub.until(() => sub.out.text().includes('received SUBACK'), timeoutMs);
    if (!subscribed) {
      await sub.close();
      throw new Error(`mosquitto_sub did not subscribe: ${sub.out.text(10)}`);
    }
    return sub;
  }

  private onLine(line: string): void {
    const match = LINE.exec(line);
    if (!match) return;
    const [, id = '', hex = ''] = match;
    const { message } = decodeMessage('telemetry', Buffer.from(hex, 'hex'));
    const list = this.seqs.get(id) ?? [];
    list.push(message.seq ?? -1);
    this.seqs.set(id, list);
    this.received++;
  }

  /** Resolve true once `condition` holds (checked on each output line, after it is recorded), false after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        off();
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const off = this.out.onLine(() => {
        if (condition()) finish(true);
      });
    });
  }

  close(): Promise<void> {
    return stopChild(this.child);
  }
}
