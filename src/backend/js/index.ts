import { type ArrayKernels, type Backend, type Kernels } from '../backend.js';
import { type DType, type TypedArray, allocate } from '../../tensor/dtype.js';
import { type Storage, noteAllocation, registerDevice } from '../../tensor/storage.js';
import { binary, reluBackward, unary, unaryBackward, where } from './elementwise.js';
import { expand, gather, indexAdd, indexSelect, permute, scatterAdd, slice, sliceAssign } from './layout.js';
import { matmul } from './matmul.js';
import { col2im, conv2d, conv2dBackward, im2col } from './conv.js';
import { maxPool2d, maxPool2dBackward } from './pool.js';
import { reduce, softmax, softmaxBackward } from './reduce.js';
import { batchNorm, batchNormBackward, groupNorm, groupNormBackward } from './normalization.js';
import { binaryCrossEntropy, binaryCrossEntropyBackward, crossEntropy, crossEntropyBackward } from './loss.js';
import { cast, fill, indexOutOfRange, renormRows } from './misc.js';
import { JsStorage } from './storage.js';
import { argsort, nonzero, topk, unique } from './sort.js';
import { cumprodBackward, cumulative } from './scan.js';
import { sampleCategorical } from './sample.js';
import { gruBackward, gruForward, lstmBackward, lstmForward, rnnBackward, rnnForward } from './recurrent.js';
import { attention, attentionBackward } from './attention.js';

/** Every kernel in plain TypeScript over typed arrays: the reference the other backends are checked against. */
export const arrayKernels: ArrayKernels = {
  unary, binary, where, cast, fill, indexOutOfRange, reduce, matmul, permute, expand, slice, sliceAssign,
  indexSelect, indexAdd, gather, scatterAdd, softmax, im2col, col2im, conv2d, conv2dBackward, maxPool2d,
  maxPool2dBackward, reluBackward, renormRows, argsort, topk, unique, nonzero, cumulative, cumprodBackward, sampleCategorical,
  unaryBackward, softmaxBackward, crossEntropy, crossEntropyBackward, batchNorm, batchNormBackward, groupNorm, groupNormBackward,
  binaryCrossEntropy, binaryCrossEntropyBackward,
  lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward, attention, attentionBackward,
};

/**
 * `kernels` run on storage: each Storage argument is replaced by the typed array `view` gives for it
 * (the js backend's own array; a view into wasm memory for wasm's fallbacks).
 */
export function onStorage(kernels: ArrayKernels, view: (s: Storage) => TypedArray, isStorage: (x: unknown) => x is Storage): Kernels {
  const out: Record<string, unknown> = {};
  for (const [name, kernel] of Object.entries(kernels) as [string, (...args: unknown[]) => unknown][]) {
    out[name] = (...args: unknown[]) => {
      for (let i = 0; i < args.length; i++) if (isStorage(args[i])) args[i] = view(args[i] as Storage);
      return kernel(...args);
    };
  }
  return out as unknown as Kernels;
}

const isJsStorage = (x: unknown): x is JsStorage => x instanceof JsStorage;

function make(device: Backend, data: TypedArray, dtype: DType): JsStorage {
  const s = new JsStorage(device, data, dtype);
  noteAllocation(s);
  return s;
}

/**
 * The reference backend: storage in the JS heap, every kernel in plain TypeScript. Storage is made by
 * methods (not arrow functions), so a backend spread from this one (`{ ...jsBackend, name }`) owns its own.
 */
export const jsBackend: Backend = {
  name: 'js',
  zeros(dtype, length) {
    return make(this, allocate(dtype, length), dtype);
  },
  empty(dtype, length) {
    return make(this, allocate(dtype, length), dtype);
  },
  fromArray(data, dtype) {
    return make(this, data.slice(), dtype);
  },
  read: (s) => (s as JsStorage).data.slice(),
  readAsync: (s) => Promise.resolve((s as JsStorage).data.slice()),
  write: (s, data) => (s as JsStorage).data.set(data),
  release: () => {}, // the collector reclaims typed arrays
  ...onStorage(arrayKernels, (s) => (s as JsStorage).data, isJsStorage),
  fused: {},
};

registerDevice(jsBackend);
