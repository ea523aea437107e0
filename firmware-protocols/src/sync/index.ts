export * from './data-classes.js';
export * from './hlc.js';
export * from './proto-path.js';
export * from './sync-payloads.js';
export * from './fl-messages.js';
export * from './sync-messages.js';
