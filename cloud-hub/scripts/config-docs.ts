// Writes docs/hub-configuration.md from the config schema. Run: npm run config-docs -w @outpost/cloud-hub
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HUB_CONFIGURATION_DOC_PATH, renderHubConfigurationDoc } from '../src/config/config-doc.js';

const target = fileURLToPath(new URL(`../../${HUB_CONFIGURATION_DOC_PATH}`, import.meta.url));
writeFileSync(target, renderHubConfigurationDoc());
process.stdout.write(`wrote ${target}\n`);
