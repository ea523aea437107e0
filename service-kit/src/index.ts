// Process plumbing shared by the gateway, edge-runtime and the hub. No business logic lives here.
export { type ConfigField, listConfigFields } from './config-fields.js';
export { loadOrCreateSecretFile } from './secret-files.js';
export { type ConfigTree, type LayeredConfigOptions, loadLayeredConfig } from './layered-config.js';
export { type FieldTablesOptions, configFieldTables, defaultCellOf, generatedDocProblem, markdownCell } from './config-doc-tables.js';
export { type Logger, createProcessLogger, flushLogs } from './process-logger.js';
