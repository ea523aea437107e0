import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../config/config-schema.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';

/**
 * States of the edge-runtime child:
 *
 *   disabled            (runtime.enabled = false)
 *   idle ──start──▶ running ──exit──▶ backoff ──delay──▶ running …
 *                      │                                  close() from any state ──▶ stopped
 *
 * The broker does not depend on the child: a crash only costs scoring until the restart, and the readings
 * that arrive meanwhile wait in the readings feed (bounded).
 */
export type RuntimeState = 'disabled' | 'idle' | 'running' | 'backoff' | 'stopped';

export interface RuntimeSupervisorStatus {
  state: RuntimeState;
  pid: number | null;
  entry: string | null;
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: number; ranMs: number } | null;
  nextStartAt: number | null;
}

/** A run this long counts as healthy: the next crash starts the backoff over. */
const HEALTHY_RUN_MS = 60_000;

/** The edge-runtime entry beside this gateway: source when the gateway runs from source, else the build. */
export function defaultRuntimeEntry(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? '../../../edge-runtime/src/main.ts' : '../../../edge-runtime/dist/main.js', import.meta.url));
}

export interface RuntimeSupervisorDeps {
  config: GatewayConfig;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Where edge-runtime reaches the broker, known once the listeners are up. */
  mqttUrl: () => string;
}

export function createRuntimeSupervisor({ config, metrics, logger, mqttUrl }: RuntimeSupervisorDeps) {
  const options = config.runtime;
  const log = logger.child({ module: 'runtime-supervisor' });
  const entry = options.enabled ? (options.entry ?? defaultRuntimeEntry()) : null;
  let state: RuntimeState = options.enabled ? 'idle' : 'disabled';
  let child: ChildProcess | null = null;
  let startedAt = 0;
  let crashes = 0;
  let restarts = 0;
  let lastExit: RuntimeSupervisorStatus['lastExit'] = null;
  let timer: NodeJS.Timeout | null = null;
  let nextStartAt: number | null = null;
  let exited: Promise<void> = Promise.resolve();
  // Taken once: every restart gets the environment the gateway started with (OUTPOST_RT_* settings included).
  const baseEnv = { ...process.env };

  function command(): { file: string; args: string[] } {
    if (!entry!.endsWith('.ts')) return { file: process.execPath, args: [entry!] };
    return { file: process.execPath, args: ['--conditions=source', '--import', import.meta.resolve('tsx'), entry!] };
  }

  function launch(): void {
    timer = null;
    nextStartAt = null;
    if (state === 'stopped') return;
    const { file, args } = command();
    const env = {
      ...baseEnv,
      OUTPOST_RT_MQTT_URL: mqttUrl(),
      OUTPOST_RT_INTERNAL_SECRET_FILE: join(config.dataDir, 'internal-secret'),
      OUTPOST_RT_DATA_DIR: baseEnv.OUTPOST_RT_DATA_DIR ?? join(config.dataDir, 'edge-runtime'),
      OUTPOST_RT_LOG_LEVEL: baseEnv.OUTPOST_RT_LOG_LEVEL ?? config.log.level,
    };
    startedAt = performance.now();
    const proc = spawn(file, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child = proc;
    state = 'running';
    log.info({ event: 'runtime-started', pid: proc.pid, entry }, 'edge-runtime started');
    exited = new Promise<void>((resolve) => {
      proc.once('error', (err) => {
        // spawn itself failed (no node binary?): treat as an exit so the backoff applies.
        log.error({ err, event: 'runtime-spawn-failed' }, 'edge-runtime could not be started');
        onExit(proc, null, null);
        resolve();
      });
      proc.once('exit', (code, signal) => {
        onExit(proc, code, signal);
        resolve();
      });
    });
  }

  function onExit(proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== proc) return;
    child = null;
    const ranMs = Math.round(performance.now() - startedAt);
    lastExit = { code, signal, at: Date.now(), ranMs };
    if (state === 'stopped') return;
    crashes = ranMs >= HEALTHY_RUN_MS ? 1 : crashes + 1;
    const ceiling = Math.min(options.restartMaxMs, options.restartBaseMs * 2 ** Math.min(crashes - 1, 20));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    state = 'backoff';
    nextStartAt = Date.now() + delay;
    restarts++;
    metrics.runtimeRestarts.inc();
    log.warn({ event: 'runtime-exited', code, signal, ranMs, restartInMs: delay }, `edge-runtime exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    timer = setTimeout(launch, delay);
  }

  return {
    start(): void {
      if (state === 'idle') launch();
    },
    status(): RuntimeSupervisorStatus {
      return { state, pid: child?.pid ?? null, entry, restarts, lastExit, nextStartAt };
    },
    /** Kill the current child (tests and the UI's restart); the supervisor restarts it with backoff. */
    kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
      return child?.kill(signal) ?? false;
    },
    /** SIGTERM, then SIGKILL after stopTimeoutMs: edge-runtime persists its state on SIGTERM. */
    async close(): Promise<void> {
      if (state === 'disabled') return;
      state = 'stopped';
      if (timer) clearTimeout(timer);
      const proc = child;
      if (!proc) return;
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), options.stopTimeoutMs);
      await exited;
      clearTimeout(force);
      log.info({ event: 'runtime-stopped' }, 'edge-runtime stopped');
    },
  };
}

export type RuntimeSupervisor = ReturnType<typeof createRuntimeSupervisor>;
