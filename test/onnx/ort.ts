// Runs an exported model in ONNX Runtime (onnxruntime-node, a dev dependency) and compares it with descent.
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { Tensor, tensor, noGrad, nn, type DType } from '../../src/index.js';
import { exportOnnx, type OnnxExportOptions } from '../../src/onnx/index.js';
import { assertClose } from '../helpers.js';

const ORT_TYPES: Record<DType, 'float32' | 'float64' | 'int32' | 'bool'> = { float32: 'float32', float64: 'float64', int32: 'int32', bool: 'bool' };

/** The model's outputs in ONNX Runtime for `inputs` (in graph-input order), as descent tensors. */
export async function runOnnx(bytes: Uint8Array, inputs: Tensor[]): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const t = inputs[i];
    const data = t.dtype === 'bool' ? Array.from(t.dataSync(), (v) => v !== 0) : t.dataSync();
    feeds[name] = new ort.Tensor(ORT_TYPES[t.dtype], data as never, [...t.shape]);
  });
  const results = await session.run(feeds);
  return session.outputNames.map((name) => {
    const r = results[name];
    const dtype = r.type === 'bool' ? 'bool' : r.type === 'int32' || r.type === 'int64' ? 'int32' : (r.type as DType);
    const values = Array.from(r.data as ArrayLike<number | bigint | boolean>, (v) => Number(v));
    return tensor(values, { shape: [...r.dims], dtype });
  });
}

/** The tensors in forward's result, in order (what exportOnnx makes graph outputs of). */
export function flatTensors(value: unknown, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (value !== null && typeof value === 'object') for (const v of Array.isArray(value) ? value : Object.values(value)) flatTensors(v, out);
  return out;
}

/**
 * Exports `model` on `args`, runs it in ONNX Runtime on `args` and asserts the same outputs as descent's
 * forward in eval mode (float32 tolerance); returns the bytes.
 */
export async function checkExport(model: nn.Module, args: unknown[], options: OnnxExportOptions & { atol?: number; rtol?: number } = {}): Promise<Uint8Array> {
  const { atol = 1e-5, rtol = 1e-4, ...exportOptions } = options;
  const bytes = exportOnnx(model, args, exportOptions);
  const training = model.training;
  model.eval();
  const expected = flatTensors(noGrad(() => (model as unknown as (...a: unknown[]) => unknown)(...args)));
  model.train(training);
  const actual = await runOnnx(bytes, [...new Set(args.filter((a): a is Tensor => a instanceof Tensor))]);
  assert.equal(actual.length, expected.length, 'number of outputs');
  actual.forEach((a, i) => {
    assert.equal(a.dtype, expected[i].dtype, `output ${i} dtype`);
    assertClose(a, expected[i], { atol, rtol, message: `output ${i}` });
  });
  return bytes;
}
