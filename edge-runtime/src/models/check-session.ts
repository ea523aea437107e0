import type { ModelManifest } from '@outpost/models/anomaly';
import type { SessionInfo, ValueInfo } from '../scoring/scoring-backend.js';

/** A dimension that fits `expected`: the same number, or symbolic (the batch axis, or a free one). */
const fits = (dim: number | string | undefined, expected: number | 'batch') =>
  typeof dim === 'string' || dim === -1 || (expected === 'batch' ? typeof dim === 'number' && dim > 0 : dim === expected);

function checkValue(kind: string, values: ValueInfo[], name: string, width: number): string | null {
  const v = values.find((x) => x.name === name);
  if (!v) return `${kind} "${name}" is missing (the graph has ${values.map((x) => `"${x.name}"`).join(', ') || 'none'})`;
  if (v.type !== null && v.type !== 'float32') return `${kind} "${name}" is ${v.type}, expected float32`;
  if (v.shape.length === 0) return null; // shape unknown to onnxruntime: the smoke run decides
  if (v.shape.length !== 2 || !fits(v.shape[0], 'batch') || !fits(v.shape[1], width)) return `${kind} "${name}" has shape [${v.shape.join(', ')}], expected [N, ${width}]`;
  return null;
}

/** Every way the session's inputs and outputs differ from what the manifest promises; empty when they agree. */
export function sessionMismatches(info: SessionInfo, manifest: ModelManifest): string[] {
  const { input, outputs } = manifest.onnx;
  return [
    info.inputs.length !== 1 ? `the graph has ${info.inputs.length} inputs, expected 1` : null,
    checkValue('input', info.inputs, input, manifest.inputSize),
    checkValue('output', info.outputs, outputs.score, 1),
    checkValue('output', info.outputs, outputs.featureError, manifest.inputSize),
  ].filter((p): p is string => p !== null);
}
