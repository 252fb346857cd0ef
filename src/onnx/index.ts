// descent/onnx: a model's forward pass as an ONNX model (bytes), for ONNX Runtime in Node, browsers or any
// language. Works anywhere (no Node APIs); descent/node's exportOnnx writes the file.
import '../index.js';
import { Tensor } from '../tensor/tensor.js';
import { isFloating } from '../tensor/dtype.js';
import { Module } from '../nn/module.js';
import { Graph } from './graph.js';
import { tensorsIn } from './emit.js';
import { moduleName } from './layers.js';
import { Tracer } from './trace.js';

export interface OnnxExportOptions {
  /** The ONNX opset to target, 17 (default) to 21. */
  opsetVersion?: number;
  /** Names of the graph inputs, one per tensor argument (a tensor passed twice is one input; default 'input', or 'input_0', ...). */
  inputNames?: readonly string[];
  /** Names of the graph outputs, one per tensor in forward's result (default 'output', or 'output_0', ...). */
  outputNames?: readonly string[];
  /** A description stored in the model. */
  docString?: string;
}

const OPSETS = [17, 18, 19, 20, 21];
// The IR version each opset came with (ONNX's versioning table).
const IR_VERSION: Record<number, number> = { 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

function names(given: readonly string[] | undefined, count: number, base: string, what: string): string[] {
  if (given === undefined) return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}_${i}`);
  if (!Array.isArray(given) || given.length !== count || given.some((n) => typeof n !== 'string' || n === '')) {
    throw new Error(`exportOnnx: ${what} must list ${count} non-empty name(s), one per tensor ${base}, got ${JSON.stringify(given)}`);
  }
  if (new Set(given).size !== given.length) throw new Error(`exportOnnx: ${what} must be distinct, got ${JSON.stringify(given)}`);
  return [...given];
}

/**
 * The model's forward pass on `exampleInput` as an ONNX model (the bytes of a .onnx file), by tracing: the
 * library's layers become ONNX operators (Conv, LSTM, LayerNormalization, ...) holding their weights under their
 * state-dict names, and the ops the forward calls between them (add, matmul, reshape, cat, softmax, ...) become
 * nodes. The graph takes the example's shapes; run it in eval mode (Dropout is the identity, BatchNorm uses its
 * running statistics). Pass several forward arguments as an array; non-tensor arguments (options) are fixed.
 * An op or layer the exporter cannot express is an error naming it.
 * @example
 * const bytes = exportOnnx(model, dt.randn([1, 1, 28, 28]));
 * const session = await ort.InferenceSession.create(bytes); // onnxruntime-web or onnxruntime-node
 */
export function exportOnnx(model: Module, exampleInput: Tensor | readonly unknown[], options: OnnxExportOptions = {}): Uint8Array {
  if (!(model instanceof Module)) throw new Error(`exportOnnx: expected a Module, got ${typeof model}`);
  for (const key of Object.keys(options)) {
    if (!['opsetVersion', 'inputNames', 'outputNames', 'docString'].includes(key)) throw new Error(`exportOnnx: unknown option '${key}' (valid options: opsetVersion, inputNames, outputNames, docString)`);
  }
  const opset = options.opsetVersion ?? 17;
  if (!OPSETS.includes(opset)) throw new Error(`exportOnnx: opsetVersion must be one of ${OPSETS.join(', ')}, got ${opset}`);
  const args = exampleInput instanceof Tensor ? [exampleInput] : Array.isArray(exampleInput) ? [...exampleInput] : null;
  if (args === null) throw new Error('exportOnnx: exampleInput must be a Tensor or an array of forward arguments');
  const inputs = [...new Set(args.filter((a): a is Tensor => a instanceof Tensor))]; // a tensor passed twice is one input
  if (inputs.length === 0) throw new Error('exportOnnx: exampleInput holds no Tensor to make a graph input of');
  const inputNames = names(options.inputNames, inputs.length, 'input', 'inputNames');

  const graph = new Graph(opset);
  const tracer = new Tracer(graph, model);
  // stand-ins for the inputs: same storage, requiring grad so that every value computed from them is seen
  const stands = inputs.map((t, i) => {
    const stand = t.detach();
    if (isFloating(stand.dtype)) stand.requiresGrad = true;
    graph.addInput(inputNames[i], stand.dtype, stand.shape);
    tracer.bind(stand, inputNames[i]);
    return stand;
  });
  const traced = args.map((a) => (a instanceof Tensor ? stands[inputs.indexOf(a)] : a));
  const modes = new Map([...model.modules()].map((m) => [m, m.training]));
  model.eval();
  let result: unknown;
  try {
    result = tracer.trace(model, () => (model as unknown as (...a: unknown[]) => unknown)(...traced));
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
  const outputs = tensorsIn(result);
  if (outputs.length === 0) throw new Error('exportOnnx: forward returned no Tensor');
  const outputNames = names(options.outputNames, outputs.length, 'output', 'outputNames');
  outputs.forEach((t, i) => graph.addOutput(tracer.nameOf(t), outputNames[i], t.dtype, t.shape));
  return graph.encode({ irVersion: IR_VERSION[opset], producerVersion: '0.1.0', graphName: moduleName(model), docString: options.docString });
}
