import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPackageJson, checkSource, importSites, scanWorkspaces, WORKSPACE_RULES } from './workspace-imports.js';

// This test lives in protocols only because protocols is the one package every other depends on;
// it scans the whole repository.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('workspace dependency rule (DESIGN.md)', () => {
  it('has a rule for every workspace and no rule for a folder that is not one', () => {
    const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
    assert.deepEqual(Object.keys(WORKSPACE_RULES).sort(), [...workspaces].sort());
    for (const [dir, rule] of Object.entries(WORKSPACE_RULES)) {
      const { name } = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string };
      assert.equal(name, rule.name, `${dir}/package.json`);
    }
  });

  it('holds across every package.json and every TypeScript file, tests included', () => {
    const violations = scanWorkspaces(repoRoot);
    assert.equal(violations.length, 0, `dependency rule broken:\n  ${violations.join('\n  ')}`);
  });
});

describe('dependency rule scanner self-check', () => {
  const source = [
    "import { decodeMessage } from '@outpost/protocols';",
    "import type { Gateway } from '@outpost/gateway';",
    "export * from '../../gateway/src/create-gateway.js';",
    "const hub = await import('@outpost/cloud-hub');",
    "const text = \"import x from '@outpost/edge-runtime'\";",
    "// import y from '@outpost/edge-runtime';",
    "import deep from '@outpost/protocols/src/codec/encoding.js';",
    "import { local } from './local.js';",
    'type Runtime = import(`@outpost/edge-runtime`).Runtime;',
    "const cjs = require('../../../cloud-hub/src/x');",
  ].join('\n');

  it('finds every kind of import and only real ones', () => {
    assert.deepEqual(
      importSites('x.ts', source).map((site) => `${site.line} ${site.specifier}`),
      ['1 @outpost/protocols', '2 @outpost/gateway', '3 ../../gateway/src/create-gateway.js', '4 @outpost/cloud-hub', '7 @outpost/protocols/src/codec/encoding.js', '8 ./local.js', '9 @outpost/edge-runtime', '10 ../../../cloud-hub/src/x'],
    );
  });

  it('names the file, line and import of each violation', () => {
    const violations = checkSource(repoRoot, 'device-sim', 'device-sim/src/fake.ts', source);
    assert.equal(violations.length, 6, violations.join('\n'));
    const expected = [
      /^device-sim\/src\/fake\.ts:2 imports '@outpost\/gateway': device-sim may import only @outpost\/protocols, @outpost\/models of ours$/,
      /^device-sim\/src\/fake\.ts:3 imports '\.\.\/\.\.\/gateway\/src\/create-gateway\.js': it reaches outside device-sim\//,
      /^device-sim\/src\/fake\.ts:4 imports '@outpost\/cloud-hub'/,
      /^device-sim\/src\/fake\.ts:7 imports '@outpost\/protocols\/src\/codec\/encoding\.js': @outpost\/protocols does not export/,
      /^device-sim\/src\/fake\.ts:9 imports '@outpost\/edge-runtime'/,
      /^device-sim\/src\/fake\.ts:10 imports '\.\.\/\.\.\/\.\.\/cloud-hub\/src\/x': it reaches outside device-sim\//,
    ];
    for (const [i, pattern] of expected.entries()) assert.match(violations[i] ?? '', pattern);
  });

  it('applies each package its own rule', () => {
    assert.deepEqual(checkSource(repoRoot, 'gateway', 'gateway/src/a.ts', "import '@outpost/protocols'; import './b.js'; import '../test/c.js';"), []);
    assert.equal(checkSource(repoRoot, 'firmware-protocols', 'firmware-protocols/src/a.ts', "import '@outpost/models';").length, 1);
    assert.equal(checkSource(repoRoot, 'gateway', 'gateway/src/a.ts', "import '@outpost/models';").length, 1);
    assert.equal(checkSource(repoRoot, 'edge-runtime', 'edge-runtime/src/a.ts', "import '@outpost/models'; import '@outpost/gateway';").length, 1);
    assert.equal(checkSource(repoRoot, 'cloud-hub', 'cloud-hub/test/a.test.ts', "import '../../edge-runtime/src/x.js';").length, 1);
    // web-kit: the two UIs' servers, bundles and browser tests import it; nothing else does, and it imports nothing of ours.
    assert.deepEqual(checkSource(repoRoot, 'gateway', 'gateway/ui/src/a.tsx', "import '@outpost/web-kit/use-poll';"), []);
    assert.deepEqual(checkSource(repoRoot, 'cloud-hub', 'cloud-hub/src/a.ts', "import '@outpost/web-kit/index-html';"), []);
    assert.equal(checkSource(repoRoot, 'edge-runtime', 'edge-runtime/src/a.ts', "import '@outpost/web-kit/use-poll';").length, 1);
    assert.equal(checkSource(repoRoot, 'web-kit', 'web-kit/src/a.ts', "import '@outpost/protocols';").length, 1);
    assert.match(checkSource(repoRoot, 'gateway', 'gateway/ui/src/a.tsx', "import '@outpost/web-kit/src/use-poll.ts';")[0] ?? '', /does not export/);
  });

  it('checks declared dependencies too', () => {
    assert.deepEqual(checkPackageJson('gateway', { dependencies: { '@outpost/protocols': '*', zod: '^4' } }), []);
    assert.deepEqual(checkPackageJson('gateway', { devDependencies: { '@outpost/cloud-hub': '*' } }), [
      'gateway/package.json devDependencies lists @outpost/cloud-hub: gateway may import only @outpost/protocols, @outpost/service-kit, @outpost/web-kit of ours',
    ]);
    assert.equal(checkPackageJson('firmware-protocols', { dependencies: { '@outpost/models': '*' } }).length, 1);
  });
});
