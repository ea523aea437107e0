import { createWriteStream, type WriteStream } from 'node:fs';
import { SimError } from '../errors.js';
import type { AnomalyLabel } from '@outpost/models/signals';

/** Anomaly labels appended to a JSONL file, one label a line, as a run produces them. */
export class LabelsFile {
  written = 0;
  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
  ) {}

  static async open(path: string): Promise<LabelsFile> {
    const stream = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (err) => reject(new SimError('SIM_ERR_LABELS_FILE', `cannot write ${path}: ${err.message}`, { cause: err })));
    });
    return new LabelsFile(path, stream);
  }

  /** Labels are few (one per anomaly), so the stream's buffer is the only queue; it never grows past a run's labels. */
  write(labels: readonly AnomalyLabel[]): void {
    if (labels.length === 0) return;
    this.stream.write(labels.map((l) => `${JSON.stringify(l)}\n`).join(''));
    this.written += labels.length;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
