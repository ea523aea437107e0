// Writes docs/edge-runtime-configuration.md from the config schema. Run: npm run config-docs -w @outpost/edge-runtime
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIGURATION_DOC_PATH, renderConfigurationDoc } from '../src/config/config-doc.js';

const target = fileURLToPath(new URL(`../../${CONFIGURATION_DOC_PATH}`, import.meta.url));
writeFileSync(target, renderConfigurationDoc());
process.stdout.write(`wrote ${target}\n`);
