import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one root logger of an Outpost process: JSON lines on stdout (or `destination`), its pid in every
 * line, and each of `secretKeys` redacted at the top level and one level down.
 */
export function createProcessLogger(name: string, level: string, secretKeys: readonly string[], destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: [...secretKeys, ...secretKeys.map((key) => `*.${key}`)], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}

/**
 * Write out what the logger still buffers, before a power cut may take it: synchronously where the
 * destination can (pino's sonic-boom and multistream), else through pino's flush. Never throws.
 */
export async function flushLogs(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { flushSync?: () => void } | undefined;
  try {
    if (typeof stream?.flushSync === 'function') return stream.flushSync();
  } catch {
    // sonic-boom refuses a sync flush while an async write is under way: fall back to the callback flush.
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000); // a destination that never calls back must not hold a shutdown
    timer.unref();
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      resolve();
    }
  });
}
