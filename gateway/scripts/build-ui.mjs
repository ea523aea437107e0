#!/usr/bin/env node
// Bundles the technician UI (gateway/ui/src → gateway/ui/build/app.js, app.css) with esbuild: Preact and
// uPlot inlined, no network at runtime. `--if-stale` builds only when the bundle is missing or older than
// a source file (used by scripts/ensure-setup.mjs, so `npm start` and `npm test` always serve a fresh one).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'ui');
const srcDir = join(uiDir, 'src');
const outDir = join(uiDir, 'build');
const outputs = [join(outDir, 'app.js'), join(outDir, 'app.css')];

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(full) : stat.mtimeMs);
  }
  return newest;
}

export function uiBundleIsStale() {
  if (!outputs.every(existsSync)) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return newestSource(srcDir) > built || statSync(fileURLToPath(import.meta.url)).mtimeMs > built;
}

export async function buildUi() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { app: join(srcDir, 'main.tsx') },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  return Object.entries(result.metafile.outputs).map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(1)} KiB`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !uiBundleIsStale()) {
    process.stdout.write('[ui] bundle up to date\n');
  } else {
    const files = await buildUi();
    process.stdout.write(`[ui] built ${files.join(', ')}\n`);
  }
}
