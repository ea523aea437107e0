export * from './payloads.js';
export * from './sync-client.js';
