export { NAB_STANDARD_ALERT_THRESHOLD } from './alert-threshold.js';
export { DetectorBank, DetectorBankFullError, type DetectorBankState } from './detector-bank.js';
export { DEFAULT_DETECTOR_CONFIG, resolveDetectorConfig, type OnlineDetectorConfig } from './detector-config.js';
export { OnlineAnomalyDetector, type OnlineDetectorState } from './online-detector.js';
