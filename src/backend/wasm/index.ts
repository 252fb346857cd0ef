// The WebAssembly backend: tensors live in the kernels' memory (memory.ts), SIMD kernels compiled from
// assembly/ by AssemblyScript run on them in place, multi-threaded in Node (worker_threads) and
// cross-origin-isolated pages (Web Workers). Kernels without a wasm version run the reference ones on
// views of wasm memory (fallback.ts), so every kernel of the Backend interface exists here.
import type { Backend } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { registerDevice } from '../../tensor/storage.js';
import { reluBackward } from './elementwise.js';
import { reduce, softmax, softmaxBackward } from './reduce.js';
import { batchNorm, batchNormBackward, groupNorm, groupNormBackward } from './normalization.js';
import { binaryCrossEntropy, binaryCrossEntropyBackward, crossEntropy, crossEntropyBackward } from './loss.js';
import { col2im, conv2d, conv2dBackward, im2col, maxPool2d } from './conv.js';
import { matmul } from './matmul.js';
import { initThreads, runtime } from './state.js';
import { fusedSteps } from './optim.js';
import { fallback, tinyOnHost } from './fallback.js';
import { allocateStorage, endStep, readStorage, releaseStorage, writeStorage } from './memory.js';
import { binary, expand, permute, where } from './strided.js';
import { cast, fill, unary, unaryBackward } from './unary.js';
import { gather, indexAdd, indexSelect, scatterAdd, slice, sliceAssign } from './indexing.js';
import { gruBackward, gruForward, lstmBackward, lstmForward, rnnBackward, rnnForward } from './recurrent.js';
import { attention, attentionBackward } from './attention.js';

export { getNumThreads, initThreads, setNumThreads } from './state.js';
export { memoryStats, setMemoryBudget, type WasmMemoryStats } from './memory.js';

function fromArray(data: TypedArray, dtype: DType) {
  const s = allocateStorage(wasmBackend!, dtype, data.length, false);
  writeStorage(s, data);
  return s;
}

/** The wasm backend, or null where WebAssembly SIMD is unavailable. */
export const wasmBackend: Backend | null = runtime && tinyOnHost({
  ...fallback,
  name: 'wasm',
  zeros: (dtype, length) => allocateStorage(wasmBackend!, dtype, length, true),
  empty: (dtype, length) => allocateStorage(wasmBackend!, dtype, length, false),
  fromArray,
  read: readStorage,
  readAsync: (s) => Promise.resolve(readStorage(s)),
  write: writeStorage,
  release: releaseStorage,
  endStep,
  matmul,
  binary,
  unary,
  reduce,
  softmax,
  permute,
  scatterAdd,
  im2col,
  col2im,
  maxPool2d,
  conv2d,
  conv2dBackward,
  reluBackward,
  where,
  expand,
  cast,
  fill,
  unaryBackward,
  slice,
  sliceAssign,
  indexSelect,
  indexAdd,
  gather,
  softmaxBackward,
  crossEntropy,
  crossEntropyBackward,
  batchNorm,
  batchNormBackward,
  groupNorm,
  groupNormBackward,
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  lstmForward,
  lstmBackward,
  gruForward,
  gruBackward,
  rnnForward,
  rnnBackward,
  attention,
  attentionBackward,
  fused: fusedSteps,
  ready: async () => {
    await initThreads();
  },
});

if (wasmBackend) registerDevice(wasmBackend);
