import { statSync } from 'node:fs';
import { join } from 'node:path';

function version(dir: string, file: string): string {
  try {
    return String(Math.floor(statSync(join(dir, file)).mtimeMs));
  } catch {
    return '0';
  }
}

/** The one HTML page; assets carry their build time so a rebuilt bundle is never served stale. */
export function renderIndexHtml(assetsDir: string | null): string {
  const head = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Outpost gateway</title>';
  if (!assetsDir) {
    return `<!doctype html><html lang="en"><head>${head}</head><body><main><h1>Outpost gateway</h1><p>The technician UI has not been built. Run <code>npm run build:ui</code> (or <code>npm start</code>, which builds it) and reload.</p></main></body></html>`;
  }
  return `<!doctype html><html lang="en"><head>${head}<link rel="stylesheet" href="/ui/assets/app.css?v=${version(assetsDir, 'app.css')}"></head><body><div id="app"><p>Loading…</p></div><script type="module" src="/ui/assets/app.js?v=${version(assetsDir, 'app.js')}"></script></body></html>`;
}
