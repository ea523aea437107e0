import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';

const { onnx } = onnxProto;

export interface DenseLayer {
  /** Kernel [inputs, outputs], row-major: the layout tfjs keeps Dense kernels in, and Gemm's B without transB. */
  weights: Float32Array;
  bias: Float32Array;
  inputs: number;
  outputs: number;
  activation: 'relu' | 'tanh' | 'linear';
}

export interface AutoencoderOnnxSpec {
  inputSize: number;
  layers: readonly DenseLayer[];
  inputName?: string;
  scoreName?: string;
  featureErrorName?: string;
  /** 13–17: ReduceMean takes `axes` as an attribute there (from 18 it is an input). */
  opset?: number;
  /** Free text kept in the model (name, version); never a timestamp, so builds stay byte-identical. */
  docString?: string;
}

export const ONNX_DEFAULTS = { inputName: 'input', scoreName: 'score', featureErrorName: 'feature_error', opset: 13 } as const;
/** IR version 7 is what opset 13 shipped with; every onnxruntime since 1.7 reads it. */
const IR_VERSION = 7;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/**
 * An ONNX graph of a dense autoencoder with its anomaly score built in: Gemm (+ Relu) layers reconstruct
 * x̂, then feature_error = (x − x̂)² [N, inputSize] and score = mean over features [N, 1]. The batch
 * dimension is symbolic (`N`). Same weights in, same bytes out.
 */
export function buildAutoencoderOnnx(spec: AutoencoderOnnxSpec): Uint8Array {
  const inputName = spec.inputName ?? ONNX_DEFAULTS.inputName;
  const scoreName = spec.scoreName ?? ONNX_DEFAULTS.scoreName;
  const featureErrorName = spec.featureErrorName ?? ONNX_DEFAULTS.featureErrorName;
  const opset = spec.opset ?? ONNX_DEFAULTS.opset;
  checkSpec(spec, opset);

  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  let current = inputName;
  spec.layers.forEach((layer, i) => {
    const w = `dense_${i}/kernel`;
    const b = `dense_${i}/bias`;
    initializers.push(floatTensor(w, [layer.inputs, layer.outputs], layer.weights), floatTensor(b, [layer.outputs], layer.bias));
    const gemmOut = `dense_${i}/gemm`;
    nodes.push(onnx.NodeProto.create({ name: `dense_${i}`, opType: 'Gemm', input: [current, w, b], output: [gemmOut] }));
    current = gemmOut;
    if (layer.activation !== 'linear') {
      const op = layer.activation === 'relu' ? 'Relu' : 'Tanh';
      nodes.push(onnx.NodeProto.create({ name: `dense_${i}/${layer.activation}`, opType: op, input: [gemmOut], output: [`dense_${i}/${layer.activation}`] }));
      current = `dense_${i}/${layer.activation}`;
    }
  });
  nodes.push(
    onnx.NodeProto.create({ name: 'residual', opType: 'Sub', input: [inputName, current], output: ['residual'] }),
    onnx.NodeProto.create({ name: 'squared_error', opType: 'Mul', input: ['residual', 'residual'], output: [featureErrorName] }),
    onnx.NodeProto.create({
      name: 'mean_error',
      opType: 'ReduceMean',
      input: [featureErrorName],
      output: [scoreName],
      attribute: [
        onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }),
        onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }),
      ],
    }),
  );
  const graph = onnx.GraphProto.create({
    name: 'autoencoder',
    node: nodes,
    initializer: initializers,
    input: [valueInfo(inputName, spec.inputSize)],
    output: [valueInfo(scoreName, 1), valueInfo(featureErrorName, spec.inputSize)],
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: opset })],
    producerName: '@outpost/models',
    producerVersion: '1',
    docString: spec.docString ?? '',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function checkSpec(spec: AutoencoderOnnxSpec, opset: number): void {
  const fail = (detail: string) => {
    throw new ModelError('MODEL_ERR_ONNX_EXPORT', detail);
  };
  if (!Number.isInteger(opset) || opset < 13 || opset > 17) fail(`opset: expected 13..17 (ReduceMean with an axes attribute), got ${opset}`);
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 1) fail(`inputSize: expected a positive integer, got ${spec.inputSize}`);
  if (spec.layers.length === 0) fail('layers: expected at least one');
  let width = spec.inputSize;
  spec.layers.forEach((l, i) => {
    if (l.inputs !== width) fail(`layers[${i}].inputs: expected ${width} (the previous width), got ${l.inputs}`);
    if (l.weights.length !== l.inputs * l.outputs) fail(`layers[${i}].weights: expected ${l.inputs}×${l.outputs} = ${l.inputs * l.outputs} values, got ${l.weights.length}`);
    if (l.bias.length !== l.outputs) fail(`layers[${i}].bias: expected ${l.outputs} values, got ${l.bias.length}`);
    width = l.outputs;
  });
  if (width !== spec.inputSize) fail(`the last layer has ${width} outputs; a reconstruction needs inputSize = ${spec.inputSize}`);
}

/** Little-endian float32 bytes whatever the host's byte order, as ONNX raw_data requires. */
function floatTensor(name: string, dims: number[], values: Float32Array) {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: raw });
}

function valueInfo(name: string, width: number) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({ elemType: FLOAT, shape: onnx.TensorShapeProto.create({ dim: [{ dimParam: 'N' }, { dimValue: width }] }) }),
    }),
  });
}
