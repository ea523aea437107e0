export * from './codec/index.js';
export * from './json-schema.js';
export * from './messages/index.js';
export * from './topics/index.js';
export * from './wire-errors.js';
export * from './sync/index.js';
export * from './power/index.js';
