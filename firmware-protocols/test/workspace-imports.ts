import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The dependency rule from DESIGN.md, as data: which of our packages each workspace may import.
 * protocols imports nothing of ours; the three services import protocols (runtime and hub also models)
 * and never each other; device-sim drives the services as processes, so it imports only the contracts.
 * web-kit is what the gateway's UI and the hub's console share (browser code, bundler, browser-test
 * launcher); only those two import it, and it imports nothing of ours.
 */
export const WORKSPACE_RULES: Record<string, { name: string; mayImport: string[] }> = {
  'firmware-protocols': { name: '@outpost/protocols', mayImport: [] },
  'service-kit': { name: '@outpost/service-kit', mayImport: [] },
  'web-kit': { name: '@outpost/web-kit', mayImport: [] },
  gateway: { name: '@outpost/gateway', mayImport: ['@outpost/protocols', '@outpost/service-kit', '@outpost/web-kit'] },
  'edge-runtime': { name: '@outpost/edge-runtime', mayImport: ['@outpost/protocols', '@outpost/models', '@outpost/service-kit'] },
  'cloud-hub': { name: '@outpost/cloud-hub', mayImport: ['@outpost/protocols', '@outpost/models', '@outpost/service-kit', '@outpost/web-kit'] },
  'device-sim': { name: '@outpost/device-sim', mayImport: ['@outpost/protocols', '@outpost/models'] },
  models: { name: '@outpost/models', mayImport: ['@outpost/protocols'] },
};

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage', '.outpost', '.cache']);
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

export interface ImportSite {
  specifier: string;
  line: number;
}

/** Every module a TypeScript source names: import/export … from, import x = require(), import(), require(), import('x').T, declare module 'x'. */
export function importSites(fileName: string, source: string): ImportSite[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined) => {
    if (literal && ts.isStringLiteralLike(literal)) sites.push({ specifier: literal.text, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) add(node, node.name);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sites;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Subpaths a package's `exports` map opens (`.` alone when it only has conditions). */
function exportedSubpaths(packageJson: Record<string, unknown>): string[] {
  const { exports } = packageJson;
  if (exports && typeof exports === 'object' && Object.keys(exports).some((key) => key.startsWith('.'))) return Object.keys(exports);
  return ['.'];
}

function isExported(subpath: string, exported: string[]): boolean {
  return exported.some((pattern) => {
    const star = pattern.indexOf('*');
    return star < 0 ? pattern === subpath : subpath.startsWith(pattern.slice(0, star)) && subpath.endsWith(pattern.slice(star + 1));
  });
}

const outpostNameOf = (specifier: string) => specifier.split('/').slice(0, 2).join('/');
const allowedText = (workspace: string) => {
  const allowed = WORKSPACE_RULES[workspace]?.mayImport ?? [];
  return allowed.length ? `${workspace} may import only ${allowed.join(', ')} of ours` : `${workspace} may import nothing of ours`;
};

/** Violations in one source file; `file` is relative to `repoRoot`. Pure except for reading target package.json files. */
export function checkSource(repoRoot: string, workspace: string, file: string, source: string): string[] {
  const rule = WORKSPACE_RULES[workspace];
  if (!rule) return [`${file}: ${workspace} has no entry in WORKSPACE_RULES`];
  const packageDir = resolve(repoRoot, workspace);
  const violations: string[] = [];
  for (const { specifier, line } of importSites(file, source)) {
    const where = `${file}:${line} imports '${specifier}'`;
    if (specifier.startsWith('.') || specifier.startsWith('/')) {
      const target = resolve(repoRoot, dirname(file), specifier);
      if (target !== packageDir && !target.startsWith(packageDir + sep)) {
        violations.push(`${where}: it reaches outside ${workspace}/ (to ${relative(repoRoot, target)}); use an @outpost/* entry point`);
      }
      continue;
    }
    if (!specifier.startsWith('@outpost/')) continue;
    const name = outpostNameOf(specifier);
    if (name !== rule.name && !rule.mayImport.includes(name)) {
      violations.push(`${where}: ${allowedText(workspace)}`);
      continue;
    }
    const targetDir = Object.keys(WORKSPACE_RULES).find((dir) => WORKSPACE_RULES[dir]?.name === name);
    const subpath = `.${specifier.slice(name.length)}`;
    if (targetDir && !isExported(subpath, exportedSubpaths(readJson(join(repoRoot, targetDir, 'package.json'))))) {
      violations.push(`${where}: ${name} does not export '${subpath}'; import its entry point`);
    }
  }
  return violations;
}

/** Violations among a workspace's declared dependencies. */
export function checkPackageJson(workspace: string, packageJson: Record<string, unknown>): string[] {
  const violations: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const name of Object.keys((packageJson[field] as Record<string, string> | undefined) ?? {})) {
      if (name.startsWith('@outpost/') && !(WORKSPACE_RULES[workspace]?.mayImport ?? []).includes(name)) {
        violations.push(`${workspace}/package.json ${field} lists ${name}: ${allowedText(workspace)}`);
      }
    }
  }
  return violations;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (!SKIPPED_DIRS.has(name)) sourceFiles(full, out);
    } else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext))) out.push(full);
  }
  return out;
}

/** Every violation in the repository: each workspace's package.json and every TypeScript file in it, tests included. */
export function scanWorkspaces(repoRoot: string): string[] {
  const violations: string[] = [];
  for (const workspace of Object.keys(WORKSPACE_RULES)) {
    violations.push(...checkPackageJson(workspace, readJson(join(repoRoot, workspace, 'package.json'))));
    for (const full of sourceFiles(join(repoRoot, workspace))) {
      violations.push(...checkSource(repoRoot, workspace, relative(repoRoot, full), readFileSync(full, 'utf8')));
    }
  }
  return violations;
}
