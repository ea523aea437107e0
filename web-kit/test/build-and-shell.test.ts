import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { defineBundle } from '@outpost/web-kit/build-bundle';
import { renderShellHtml } from '@outpost/web-kit/index-html';

const dir = mkdtempSync(join(tmpdir(), 'outpost-web-kit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PAGE = { title: 'Outpost test UI', assetsUrl: '/t/assets', bundleName: 'app', notBuiltHtml: 'Run <code>npm run build:t</code>.' };
const setMtime = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

describe('renderShellHtml', () => {
  it('links the bundle with its build time as the version', () => {
    const assets = join(dir, 'assets');
    mkdirSync(assets);
    writeFileSync(join(assets, 'app.css'), '');
    writeFileSync(join(assets, 'app.js'), '');
    setMtime(join(assets, 'app.css'), 1_700_000_000);
    setMtime(join(assets, 'app.js'), 1_700_000_123);
    const html = renderShellHtml(PAGE, assets);
    assert.match(html, /<title>Outpost test UI<\/title>/);
    assert.match(html, /<link rel="stylesheet" href="\/t\/assets\/app\.css\?v=1700000000000">/);
    assert.match(html, /<script type="module" src="\/t\/assets\/app\.js\?v=1700000123000"><\/script>/);
  });

  it('says how to build the UI when there is no bundle, and version 0 for a missing file', () => {
    assert.match(renderShellHtml(PAGE, null), /<h1>Outpost test UI<\/h1><p>Run <code>npm run build:t<\/code>\.<\/p>/);
    assert.match(renderShellHtml(PAGE, join(dir, 'nowhere')), /app\.js\?v=0"/);
  });
});

describe('defineBundle staleness', () => {
  const ui = join(dir, 'ui');
  mkdirSync(join(ui, 'src'), { recursive: true });
  mkdirSync(join(ui, 'build'));
  const script = join(dir, 'build-t.mjs');
  for (const file of [join(ui, 'src', 'main.tsx'), script]) writeFileSync(file, '');
  const bundle = defineBundle({ name: 'app', uiDir: pathToFileURL(`${ui}/`), tag: 't', script: pathToFileURL(script).href });
  const outputs = [join(ui, 'build', 'app.js'), join(ui, 'build', 'app.css')];
  const future = Math.floor(Date.now() / 1000) + 86_400;

  it('is stale while an output is missing', () => {
    writeFileSync(outputs[0]!, '');
    assert.equal(bundle.isStale(), true);
  });

  it('is fresh when the outputs are newer than every source', () => {
    writeFileSync(outputs[1]!, '');
    for (const file of outputs) setMtime(file, future);
    assert.equal(bundle.isStale(), false);
  });

  it("is stale when a UI source, the build script, or one of web-kit's sources is newer", () => {
    setMtime(join(ui, 'src', 'main.tsx'), future + 10);
    assert.equal(bundle.isStale(), true, 'UI source');
    setMtime(join(ui, 'src', 'main.tsx'), 1_000);
    setMtime(script, future + 10);
    assert.equal(bundle.isStale(), true, 'build script');
    setMtime(script, 1_000);
    assert.equal(bundle.isStale(), false);
    // web-kit's own files (its sources and the bundler) keep their real, recent mtimes.
    for (const file of outputs) setMtime(file, 2_000);
    assert.equal(bundle.isStale(), true, 'web-kit files');
  });
});
