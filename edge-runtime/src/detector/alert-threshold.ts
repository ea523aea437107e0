/**
 * Score at or above which a gateway raises a live alert: the threshold NAB's optimiser picks for this
 * detector on the standard profile (TP 1, FP 0.11, FN 1) over the whole corpus. Produced by
 * `npm run eval:nab` (.cache/nab/report.json, profiles.standard, row "outpost"); recorded with the
 * table in docs/benchmarks.md, "Anomaly detection on NAB". Re-run and update it whenever the detector
 * or its defaults change.
 */
export const NAB_STANDARD_ALERT_THRESHOLD = 0.3759226862621221;
