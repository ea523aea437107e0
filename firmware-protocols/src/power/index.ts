export * from './predictors.js';
export * from './dual-prediction.js';
