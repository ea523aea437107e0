import { statSync } from 'node:fs';
import { join } from 'node:path';

export interface ShellPage {
  /** The page title, also the heading of the "not built" page. */
  title: string;
  /** Where the server mounts the bundle, e.g. `/ui/assets`. */
  assetsUrl: string;
  /** The bundle's base name: `<name>.js` and `<name>.css`. */
  bundleName: string;
  /** Shown (as HTML) when the bundle has not been built. */
  notBuiltHtml: string;
}

function version(dir: string, file: string): string {
  try {
    return String(Math.floor(statSync(join(dir, file)).mtimeMs));
  } catch {
    return '0';
  }
}

/** A UI's one HTML page; assets carry their build time so a rebuilt bundle is never served stale. */
export function renderShellHtml(page: ShellPage, assetsDir: string | null): string {
  const head = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${page.title}</title>`;
  if (!assetsDir) {
    return `<!doctype html><html lang="en"><head>${head}</head><body><main><h1>${page.title}</h1><p>${page.notBuiltHtml}</p></main></body></html>`;
  }
  const css = `${page.bundleName}.css`;
  const js = `${page.bundleName}.js`;
  return `<!doctype html><html lang="en"><head>${head}<link rel="stylesheet" href="${page.assetsUrl}/${css}?v=${version(assetsDir, css)}"></head><body><div id="app"><p>Loading…</p></div><script type="module" src="${page.assetsUrl}/${js}?v=${version(assetsDir, js)}"></script></body></html>`;
}
