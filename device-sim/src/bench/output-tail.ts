import type { Readable } from 'node:stream';

/**
 * The last lines of a child's output. Always reading keeps a chatty child from blocking on a full pipe;
 * keeping only a bounded tail keeps a long run from growing memory.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';
  private readonly listeners = new Set<(line: string) => void>();

  constructor(
    stream: Readable | null,
    private readonly maxLines = 200,
  ) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => this.push(chunk));
  }

  private push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
      for (const listener of this.listeners) listener(line);
    }
  }

  /** Call `listener` for each complete line from now on; returns a function that removes it. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The kept lines, plus any unterminated last line. */
  text(lastLines = this.maxLines): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-lastLines).join('\n');
  }
}
