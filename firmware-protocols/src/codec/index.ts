export * from './encoding.js';
export * from './message-codec.js';
