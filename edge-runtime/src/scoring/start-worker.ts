import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker from a module URL. Built code (`.js`) starts as is; source (`.ts`, tests and dev runs
 * through tsx) needs tsx registered inside the worker too, since module hooks do not cross threads here.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(moduleUrl.href)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
