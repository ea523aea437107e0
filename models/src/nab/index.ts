export { loadNabCorpus, nabDatasetDir, readAnomalyScores, resultsPath, type NabSeries } from './corpus.js';
export { formatNabReport, NAB_BASELINES, runNabEvaluation, type NabDetectorUnderTest, type NabEvaluationOptions, type NabReport } from './evaluate.js';
export { NAB_PROFILES, probationLength as nabProbationLength, type NabProfile, type NabProfileName } from './profiles.js';
export { MAX_TP_SIGMOID, scaledSigmoid } from './scaled-sigmoid.js';
export { normaliseScore, optimiseThreshold, perfectRawScore, scoreFile, sortCorpus, sweepThresholds, type ThresholdScore } from './scorer.js';
export { sweepFile, type FileSweep, type NabWindow } from './sweep.js';
