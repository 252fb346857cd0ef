// The WebGPU backend: tensors live in GPU buffers, WGSL compute kernels run on them, commands are
// recorded in batches and submitted on a read. Reads are asynchronous only (`await t.data()`). It is
// registered at import but touches no GPU until `await dt.init('webgpu')`, which requests the adapter
// (navigator.gpu in browsers, the optional `webgpu` package in Node). Every kernel of ArrayKernels that
// has no WGSL version here throws `webgpu: <kernel> is not implemented`: nothing runs on the CPU behind
// the user's back.
import type { Backend, Kernels } from '../backend.js';
import { arrayKernels } from '../js/index.js';
import { registerDevice } from '../../tensor/storage.js';
import { binary, cast, fill, reluBackward, unary, unaryBackward, where } from './elementwise.js';
import { reduce, renormRows, softmax, softmaxBackward } from './reduce.js';
import { binaryCrossEntropy, binaryCrossEntropyBackward, crossEntropy, crossEntropyBackward } from './loss.js';
import { batchNorm, batchNormBackward, groupNorm, groupNormBackward } from './normalization.js';
import { attention, attentionBackward } from './attention.js';
import { expand, gather, indexAdd, indexSelect, permute, scatterAdd, slice, sliceAssign } from './layout.js';
import { matmul } from './matmul.js';
import { gruBackward, gruForward, lstmBackward, lstmForward, rnnBackward, rnnForward } from './recurrent.js';
import { col2im, conv2d, conv2dBackward, im2col, maxPool2d, maxPool2dBackward } from './conv.js';
import { fusedSteps } from './optim.js';
import { argsort, topk } from './sort.js';
import { cumprodBackward, cumulative } from './scan.js';
import { sampleCategorical } from './sample.js';
import { nonzero, unique } from './select.js';
import { gpu, openGpu } from './context.js';
import { resetCommands } from './commands.js';
import { allocateStorage, assertLater, finishAndCheck, forgetPool, readStorage, releaseStorage, storageFrom, writeStorage } from './memory.js';

export { gpuMemoryStats, type GpuMemoryStats } from './memory.js';

const implemented: Partial<Kernels> = {
  unary, binary, where, cast, fill, reluBackward, reduce, softmax, matmul,
  lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward,
  permute, expand, slice, sliceAssign, indexSelect, indexAdd, gather, scatterAdd,
  conv2d, conv2dBackward, im2col, col2im, maxPool2d, maxPool2dBackward, renormRows,
  unaryBackward, softmaxBackward, crossEntropy, crossEntropyBackward, binaryCrossEntropy, binaryCrossEntropyBackward,
  batchNorm, batchNormBackward, groupNorm, groupNormBackward, attention, attentionBackward,
  argsort, topk, cumulative, cumprodBackward, sampleCategorical, unique, nonzero,
  // Kernels that return a value to the op are reads, which a GPU cannot answer synchronously: the ops
  // check indices with assertLater instead, at the next read.
  indexOutOfRange: () => null,
};

/** The kernels of ArrayKernels this backend runs on the GPU; the others throw, naming themselves. */
export const implementedKernels: readonly string[] = Object.keys(implemented);

function notImplemented(): Kernels {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(arrayKernels)) {
    out[name] = () => { throw new Error(`webgpu: ${name} is not implemented`); };
  }
  return out as unknown as Kernels;
}

let device: object | null = null;

/** The webgpu backend; usable after `await dt.init('webgpu')`. */
export const webgpuBackend: Backend = {
  ...notImplemented(),
  ...implemented,
  name: 'webgpu',
  readsSync: false,
  float64: false,
  missingKernels: new Set(Object.keys(arrayKernels).filter((k) => !implementedKernels.includes(k))),
  zeros: (dtype, length) => allocateStorage(webgpuBackend, dtype, length, true),
  empty: (dtype, length) => allocateStorage(webgpuBackend, dtype, length, false),
  fromArray: (data, dtype) => storageFrom(webgpuBackend, data, dtype),
  read: () => {
    throw new Error('webgpu: tensors on the GPU are read asynchronously: use `await t.data()` (item(), toArray() and dataSync() would have to wait for the GPU)');
  },
  readAsync: readStorage,
  assertLater,
  write: writeStorage,
  release: releaseStorage,
  fused: fusedSteps,
  ready: async () => {
    const ctx = await openGpu();
    if (ctx.device !== device) {
      resetCommands();
      forgetPool();
      device = ctx.device;
    }
  },
};

/** The name of the GPU adapter the backend runs on (after `await dt.init('webgpu')`). @example webgpuAdapterName() // 'SwiftShader Device (Subzero)' */
export function webgpuAdapterName(): string {
  return gpu().adapterName;
}

/**
 * Resolves once the GPU has run every kernel recorded so far, as torch.cuda.synchronize(): for timing
 * (reads wait by themselves). Throws the errors the GPU reported, if any.
 * @example const start = performance.now(); model(x); await webgpuSynchronize(); console.log(performance.now() - start);
 */
export async function webgpuSynchronize(): Promise<void> {
  gpu();
  await finishAndCheck();
}

registerDevice(webgpuBackend);
