// Writes schema/<message>.json for firmware authors and other languages. Run: npm run schemas -w @outpost/protocols
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchemaFiles } from './json-schema-files.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');
mkdirSync(outDir, { recursive: true });
const files = buildSchemaFiles();
const wanted = new Set(files.map((file) => file.fileName));
// A message that was removed must not leave a stale schema behind.
for (const name of readdirSync(outDir)) if (name.endsWith('.json') && !wanted.has(name)) rmSync(join(outDir, name));
for (const file of files) writeFileSync(join(outDir, file.fileName), file.text);
process.stdout.write(`wrote ${files.length} JSON Schema files to ${outDir}\n`);
