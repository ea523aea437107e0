// Random-weight autoencoder artifacts for tests, written the way models ships them (manifest + .onnx),
// plus a plain float64 forward pass to check scores against.
import { type DenseLayer, buildAutoencoderOnnx, featureNames, type ManifestFields, writeModelArtifact } from '@outpost/models/anomaly';
import { Prng } from '@outpost/models/signals';

export interface TestModel {
  manifestPath: string;
  onnxPath: string;
  sha256: string;
  layers: DenseLayer[];
  fields: ManifestFields;
}

export interface TestModelOptions {
  name?: string;
  version?: string;
  metrics?: string[];
  window?: number;
  warmup?: number;
  channels?: ('z' | 'dz' | 'ldz')[];
  /** Raw score thresholds; defaults make most windows of random weights alert (tests count alerts). */
  thresholds?: { threshold: number; confidentAbove: number; critical: number };
  hidden?: number;
  seed?: string;
}

export function randomLayers(rng: Prng, sizes: number[]): DenseLayer[] {
  return sizes.slice(1).map((outputs, i) => {
    const inputs = sizes[i]!;
    const weights = Float32Array.from({ length: inputs * outputs }, () => rng.normal() / Math.sqrt(inputs));
    const bias = Float32Array.from({ length: outputs }, () => 0.1 * rng.normal());
    return { weights, bias, inputs, outputs, activation: i === sizes.length - 2 ? 'linear' : 'relu' };
  });
}

/** The reference: a plain float64 forward pass, kernels [in, out] row-major, score = mean squared error. */
export function forward(layers: readonly DenseLayer[], x: ArrayLike<number>): { score: number; featureError: number[] } {
  let h = Array.from(x);
  for (const l of layers) {
    const out: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o]!;
      for (let i = 0; i < l.inputs; i++) s += h[i]! * l.weights[i * l.outputs + o]!;
      out.push(l.activation === 'relu' ? Math.max(0, s) : s);
    }
    h = out;
  }
  const featureError = Array.from(x, (v, i) => (v - h[i]!) ** 2);
  return { score: featureError.reduce((a, b) => a + b, 0) / featureError.length, featureError };
}

export async function writeTestModel(dir: string, options: TestModelOptions = {}): Promise<TestModel> {
  const metrics = options.metrics ?? ['temperature'];
  const window = options.window ?? 4;
  const channels = options.channels ?? ['z', 'dz'];
  const preprocessing = { method: 'ewma-z', alpha: 0.05, diffAlpha: 0.05, warmup: options.warmup ?? window + 1, clip: 8, channels, logFloor: 0.01, stdFloor: {} };
  const inputSize = metrics.length * channels.length * window;
  const layers = randomLayers(new Prng(options.seed ?? `${options.name ?? 'ae-test'}-${options.version ?? '1.0.0'}`), [inputSize, options.hidden ?? 3, inputSize]);
  const fields: ManifestFields = {
    schema: 1,
    name: options.name ?? 'ae-test',
    version: options.version ?? '1.0.0',
    kind: 'autoencoder',
    profile: 'test',
    metrics,
    window,
    inputSize,
    featureNames: featureNames({ metrics, window, preprocessing }),
    preprocessing,
    onnx: { opset: 13, input: 'input', outputs: { score: 'score', featureError: 'feature_error' } },
    thresholds: options.thresholds ?? { threshold: 1e-6, confidentAbove: 0.5, critical: 5 },
    evaluation: {},
    training: { seed: 1, samples: 0, tfjsVersion: 'none' },
  };
  const written = await writeModelArtifact(dir, buildAutoencoderOnnx({ inputSize, layers }), fields, `# ${fields.name} (test model, random weights)`);
  return { manifestPath: written.manifestPath, onnxPath: written.onnxPath, sha256: written.manifest.onnx.sha256, layers, fields };
}
