export * from './device-topics.js';
export * from './local-topics.js';
