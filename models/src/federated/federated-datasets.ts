import { SCORED_TYPES } from '../autoencoder/evaluate-windows.js';
import { labelWindows } from '../autoencoder/labelled-windows.js';
import { profileConfig } from '../autoencoder/profile-configs.js';
import { ModelError } from '../errors.js';
import { type AnomalyType, generateSeries, PROFILE_NAMES, Prng, type ProfileName } from '../signals/index.js';

/** How a non-IID federation's client data and its held-out evaluation set are drawn. */
export interface FederatedDatasetPlan {
  seed: string;
  /** One profile per federation: the model's input layout is per profile. */
  profile: ProfileName;
  clients: number;
  /** Devices per client, drawn uniformly in [min, max]: clients hold very different amounts of data. */
  devicesPerClient: [number, number];
  readingsPerDevice: number;
  /** Keep every n-th window of a client's training windows (neighbours overlap by window − 1 readings). */
  trainStride: number;
  /** Per-client anomaly rate (chance per reading that one starts), drawn uniformly in [min, max]. */
  anomalyRate: [number, number];
  /** Anomaly types a client sees: each client gets its own subset of this many (at least one). */
  anomalyTypesPerClient: number;
  /** Share of a client's anomalous windows its technicians labelled (left out of training); the rest stay in as contamination. */
  labelCoverage: number;
  /** Sampling intervals a client's devices report at, one chosen per client: the signal's texture per reading differs. */
  intervalsMs: number[];
  startTs: number;
  heldOutDevicesPerInterval: number;
  heldOutAnomalyRate: number;
}

export const DEFAULT_FEDERATED_DATASET_PLAN: FederatedDatasetPlan = {
  seed: 'outpost-federated-v1',
  // Humidity: its untrained autoencoder scores AUC ~0.70 and a trained one ~0.9, so training visibly matters.
  // (An untrained temperature model already scores ~0.96: a federation there would show nothing.)
  profile: 'humidity',
  clients: 20,
  devicesPerClient: [1, 4],
  readingsPerDevice: 1440,
  trainStride: 8,
  anomalyRate: [0, 0.004],
  anomalyTypesPerClient: 2,
  labelCoverage: 0.8,
  intervalsMs: [30_000, 60_000, 120_000],
  startTs: Date.UTC(2026, 0, 5),
  heldOutDevicesPerInterval: 3,
  heldOutAnomalyRate: 0.003,
};

/** One client's training data: what stays on its gateway. */
export interface ClientDataset {
  clientId: string;
  profile: ProfileName;
  devices: number;
  intervalMs: number;
  anomalyRate: number;
  anomalyTypes: AnomalyType[];
  /** Training windows: all but the anomalous windows technicians labelled. */
  windows: Float32Array[];
  /** Windows in `windows` that touch an unlabelled anomaly: the contamination a real site's data has. */
  contaminated: number;
}

/** Held-out windows with their class: `anomalous` windows end inside a labelled anomaly; tails are left out. */
export interface LabelledEvalSet {
  inputs: Float32Array[];
  anomalous: boolean[];
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

/**
 * Non-IID client datasets for one profile, seeded: each client draws its device count, sampling interval,
 * anomaly rate and anomaly types; its technicians labelled `labelCoverage` of its anomalies (whole events),
 * and the windows those touch are left out of its training data while unlabelled ones stay in. The
 * held-out set has other devices and seeds, every interval, and every scored anomaly type.
 */
export function federatedDatasets(plan: FederatedDatasetPlan): { clients: ClientDataset[]; heldOut: LabelledEvalSet } {
  checkPlan(plan);
  const { spec } = profileConfig(plan.profile);
  const rng = new Prng(plan.seed, 'federation-plan');
  const clients: ClientDataset[] = [];
  for (let c = 0; c < plan.clients; c++) {
    const clientId = `client-${String(c).padStart(3, '0')}`;
    const devices = rng.int(plan.devicesPerClient[0], plan.devicesPerClient[1]);
    const intervalMs = rng.pick(plan.intervalsMs);
    const anomalyRate = rng.uniform(plan.anomalyRate[0], plan.anomalyRate[1]);
    const anomalyTypes = shuffled([...SCORED_TYPES], rng).slice(0, Math.max(1, Math.min(SCORED_TYPES.length, plan.anomalyTypesPerClient)));
    const series = generateSeries({
      seed: `${plan.seed}/client/${clientId}`,
      deviceIds: ids(`${clientId}-${plan.profile}`, devices),
      profile: plan.profile,
      startTs: plan.startTs,
      intervalMs,
      samples: plan.readingsPerDevice,
      anomalyRate,
      anomalyTypes,
    });
    const labelRng = new Prng(plan.seed, clientId, 'technician-labels');
    const labelled = series.labels.filter(() => labelRng.next() < plan.labelCoverage);
    // Same readings, labelled two ways: what the technicians know (decides what is left out) and the truth (counts contamination).
    const known = labelWindows(spec, series.readings, labelled);
    const truth = labelWindows(spec, series.readings, series.labels);
    const windows: Float32Array[] = [];
    let contaminated = 0;
    let kept = 0;
    known.inputs.forEach((x, i) => {
      if (known.cls[i] !== 'normal') return;
      if (kept++ % plan.trainStride !== 0) return;
      windows.push(x);
      if (truth.cls[i] !== 'normal') contaminated++;
    });
    clients.push({ clientId, profile: plan.profile, devices, intervalMs, anomalyRate, anomalyTypes, windows, contaminated });
  }
  const heldOut: LabelledEvalSet = { inputs: [], anomalous: [] };
  for (const intervalMs of plan.intervalsMs) {
    const series = generateSeries({
      seed: `${plan.seed}/held-out/${intervalMs}`,
      deviceIds: ids(`held-out-${intervalMs}-${plan.profile}`, plan.heldOutDevicesPerInterval),
      profile: plan.profile,
      startTs: plan.startTs,
      intervalMs,
      samples: plan.readingsPerDevice,
      anomalyRate: plan.heldOutAnomalyRate,
      anomalyTypes: SCORED_TYPES,
    });
    const w = labelWindows(spec, series.readings, series.labels);
    w.inputs.forEach((x, i) => {
      if (w.cls[i] === 'tail') return;
      heldOut.inputs.push(x);
      heldOut.anomalous.push(w.cls[i] === 'anomaly');
    });
  }
  return { clients, heldOut };
}

function checkPlan(p: FederatedDatasetPlan): void {
  const bad = (what: string, v: unknown) => new ModelError('MODEL_ERR_FL_CONFIG', `dataset plan ${what}: got ${JSON.stringify(v)}`);
  const posInt = (n: number) => Number.isInteger(n) && n > 0;
  if (!PROFILE_NAMES.includes(p.profile)) throw bad(`profile (expected one of ${PROFILE_NAMES.join(', ')})`, p.profile);
  if (!posInt(p.clients) || p.clients > 10_000) throw bad('clients (expected 1..10000)', p.clients);
  if (!posInt(p.devicesPerClient[0]) || !(p.devicesPerClient[1] >= p.devicesPerClient[0]) || p.devicesPerClient[1] > 1000) throw bad('devicesPerClient (expected 1 ≤ min ≤ max ≤ 1000)', p.devicesPerClient);
  if (!posInt(p.readingsPerDevice) || p.readingsPerDevice > 1_000_000) throw bad('readingsPerDevice', p.readingsPerDevice);
  if (!posInt(p.trainStride)) throw bad('trainStride', p.trainStride);
  if (!(p.anomalyRate[0] >= 0 && p.anomalyRate[1] >= p.anomalyRate[0] && p.anomalyRate[1] <= 1)) throw bad('anomalyRate (expected 0 ≤ min ≤ max ≤ 1)', p.anomalyRate);
  if (!posInt(p.anomalyTypesPerClient)) throw bad('anomalyTypesPerClient', p.anomalyTypesPerClient);
  if (!(p.labelCoverage >= 0 && p.labelCoverage <= 1)) throw bad('labelCoverage (expected 0..1)', p.labelCoverage);
  if (p.intervalsMs.length === 0 || !p.intervalsMs.every(posInt)) throw bad('intervalsMs', p.intervalsMs);
  if (!posInt(p.heldOutDevicesPerInterval)) throw bad('heldOutDevicesPerInterval', p.heldOutDevicesPerInterval);
  if (!(p.heldOutAnomalyRate > 0 && p.heldOutAnomalyRate <= 1)) throw bad('heldOutAnomalyRate (expected > 0: the held-out set needs anomalies)', p.heldOutAnomalyRate);
}

function shuffled<T>(items: T[], rng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
