// Bundles one UI with esbuild: Preact, uPlot and web-kit inlined, no network at runtime. `--if-stale`
// builds only when the bundle is missing or older than a source file, the UI's or web-kit's (used by
// scripts/ensure-setup.mjs, so `npm start` and `npm test` always serve a fresh one).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webKitSrc = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(full) : stat.mtimeMs);
  }
  return newest;
}

/**
 * One UI's bundle: `<uiDir>/src/main.tsx` → `<uiDir>/build/<name>.js` and `<name>.css`. `script` is the calling
 * build script's URL (a change to it rebuilds too); `tag` prefixes the CLI's messages.
 */
export function defineBundle({ name, uiDir, tag, script }) {
  const srcDir = join(fileURLToPath(uiDir), 'src');
  const outDir = join(fileURLToPath(uiDir), 'build');
  const outputs = [join(outDir, `${name}.js`), join(outDir, `${name}.css`)];
  const inputs = () => Math.max(newestSource(srcDir), newestSource(webKitSrc), ...[import.meta.url, script].map((url) => statSync(fileURLToPath(url)).mtimeMs));

  function isStale() {
    if (!outputs.every(existsSync)) return true;
    const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
    return inputs() > built;
  }

  async function build() {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: { [name]: join(srcDir, 'main.tsx') },
      outdir: outDir,
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2020',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      // web-kit ships TypeScript only, through the `source` export condition.
      conditions: ['source'],
      sourcemap: false,
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });
    return Object.entries(result.metafile.outputs).map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(1)} KiB`);
  }

  /** The CLI: build, or with `--if-stale` only when stale. */
  async function main(argv = process.argv) {
    if (argv.includes('--if-stale') && !isStale()) {
      process.stdout.write(`[${tag}] bundle up to date\n`);
    } else {
      const files = await build();
      process.stdout.write(`[${tag}] built ${files.join(', ')}\n`);
    }
  }

  return { isStale, build, main };
}

/** A build script's whole body: define the bundle and, when that script is what node was started with, run the CLI. */
export async function bundleCommand(spec) {
  const bundle = defineBundle(spec);
  if (process.argv[1] && fileURLToPath(spec.script) === process.argv[1]) await bundle.main();
  return bundle;
}
