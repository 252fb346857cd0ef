// The WebAssembly backend: SIMD kernels compiled from assembly/ by AssemblyScript, multi-threaded in
// Node (worker_threads) and cross-origin-isolated pages (Web Workers). Kernels it does not override
// are the reference ones, so new Backend kernels keep working.
import { type Backend, registerBackend, setBackend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { binary, reduce, reluBackward, softmax, unary } from './elementwise.js';
import { col2im, conv2d, conv2dBackward, im2col, maxPool2d } from './conv.js';
import { permute, scatterAdd } from './layout.js';
import { matmul } from './matmul.js';
import { runtime } from './state.js';
import { adamStep, sgdStep } from './optim.js';
import { allocateResident, isResident, residentSupported } from './resident.js';

export { getNumThreads, initThreads, setNumThreads } from './state.js';
export { residentMemory, setResidentBudget } from './resident.js';

/** The wasm backend, or null where WebAssembly SIMD is unavailable. */
export const wasmBackend: Backend | null = runtime && {
  ...jsBackend,
  name: 'wasm',
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
  sgdStep,
  adamStep,
  // Resident storage needs shared memory (views survive memory growth only on a SharedArrayBuffer).
  ...(residentSupported() ? { allocateResident, isResident } : {}),
};

if (wasmBackend) {
  registerBackend(wasmBackend);
  setBackend('wasm'); // the fast path is the default wherever it loads
}
