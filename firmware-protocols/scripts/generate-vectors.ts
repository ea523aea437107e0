// Writes test-vectors/<message>.json from the case lists in scripts/vectors/. Run: npm run vectors -w @outpost/protocols
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildVectorFiles, serializeVectorFile, vectorFileName, verifyVectorFiles } from './vectors/build-vectors.js';
import { buildPowerVectorFiles } from './vectors/predictor-cases.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-vectors');
const files = buildVectorFiles();
const problems = verifyVectorFiles(files);
if (problems.length > 0) {
  process.stderr.write(`refusing to write vectors this codec does not pass:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
const wanted = new Set(files.map((file) => vectorFileName(file.message)));
// A message that was removed must not leave a stale vector file behind.
for (const name of readdirSync(outDir)) if (name.endsWith('.json') && !wanted.has(name)) rmSync(join(outDir, name));
for (const file of files) writeFileSync(join(outDir, vectorFileName(file.message)), serializeVectorFile(file));
const count = files.reduce((sum, file) => sum + file.valid.length + file.invalid.length, 0);
process.stdout.write(`wrote ${files.length} vector files, ${count} vectors, to ${outDir}\n`);

// The adaptive-reporting predictors (test-vectors/power/): arithmetic, not messages.
const powerDir = join(outDir, 'power');
mkdirSync(powerDir, { recursive: true });
const powerFiles = buildPowerVectorFiles();
const powerWanted = new Set(powerFiles.map((file) => file.fileName));
for (const name of readdirSync(powerDir)) if (name.endsWith('.json') && !powerWanted.has(name)) rmSync(join(powerDir, name));
for (const file of powerFiles) writeFileSync(join(powerDir, file.fileName), file.text);
process.stdout.write(`wrote ${powerFiles.length} predictor vector files to ${powerDir}\n`);
