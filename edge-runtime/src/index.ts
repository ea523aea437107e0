/** @outpost/edge-runtime: compute on the edge node. */
export const PACKAGE_NAME = '@outpost/edge-runtime';
export * from './detector/index.js';
