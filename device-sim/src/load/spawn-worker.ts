import { Worker } from 'node:worker_threads';

/**
 * Start a worker from a module next to this one, whether we run from TypeScript sources (tsx) or from `dist/`.
 * Node 20 does not carry `--import tsx` loader hooks into worker threads, so from sources a one-line
 * bootstrap registers tsx inside the worker before importing the `.ts` entry.
 */
export function spawnModuleWorker(baseName: string, workerData: unknown): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${baseName}${fromSources ? '.ts' : '.js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
