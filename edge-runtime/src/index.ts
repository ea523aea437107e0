/**
 * @outpost/edge-runtime: compute on the edge node. The gateway does not import this package: it starts
 * `src/main.ts` (built: `dist/main.js`, bin `outpost-edge-runtime`) as a process and talks to it over the
 * local topics only. What is exported here is for embedding the runtime in tests and tools.
 */
export const PACKAGE_NAME = '@outpost/edge-runtime';
export * from './detector/index.js';
export { type RuntimeConfig, type RuntimeConfigInput } from './config/config-schema.js';
export { CONFIG_FILE_ENV, ENV_PREFIX, loadRuntimeConfig, RUNTIME_CONFIG_FIELDS } from './config/load-config.js';
export { createRuntime, type CreateRuntimeOptions, type Runtime } from './create-runtime.js';
export { EXIT_CONFIG, isRuntimeError, RUNTIME_ERRORS, RuntimeError, type RuntimeErrorCode } from './errors.js';
export { loadRulesFile, validateRules } from './rules/load-rules.js';
export { type Rule } from './rules/rule-schema.js';
