// descent: tensors, autograd and gradient descent for TypeScript, with PyTorch's semantics.
import './backend/js/index.js';
import './backend/wasm/index.js'; // registers itself where WebAssembly SIMD is available (the default there)
import './backend/webgpu/index.js'; // registers itself; touches the GPU only on `await init('webgpu')`
import './ops/methods.js';

// The ops are exported through `traceable` (ops/trace.ts), so that an exporter can watch a forward pass.
import { traceable } from './ops/trace.js';
import * as C from './tensor/creation.js';
import * as U from './ops/util.js';
import * as E from './ops/elementwise.js';
import * as R from './ops/reduce.js';
import * as S from './ops/shape.js';
import * as I from './ops/indexing.js';
import * as L from './ops/linalg.js';
import * as X from './ops/softmax.js';
import * as O from './ops/sort.js';
import * as Sc from './ops/scan.js';
import * as N from './ops/nonzero.js';
import * as G from './ops/random.js';
import * as B from './ops/addmm.js';

export { Tensor } from './tensor/tensor.js';
export type { GradFn, GradHook, NestedArray } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { promoteTypes, resultType } from './tensor/dtype.js';
export { broadcastShapes } from './tensor/shape.js';
export const {
  tensor, scalar, zeros, ones, full, empty, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm,
} = traceable('', C);
export type { TensorOptions, RandomOptions, NestedNumbers, ShapeLike } from './tensor/creation.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/random.js';
export { SparseTensor } from './tensor/sparse.js';
export type { GeneratorState } from './tensor/random.js';

export { backend, init, registerBackend } from './backend/backend.js';
export { getBackend, setBackend, listBackends, noteAllocation } from './tensor/storage.js';
export { arrayKernels, onStorage } from './backend/js/index.js';
export type { Storage, Device } from './tensor/storage.js';
export type { Backend, ArrayKernels, Kernels, FusedSteps, UnaryOp, BinaryOp, ReduceOp, ConvGeometry, ActivationOp, RecurrentGeometry, AttentionGeometry, AttentionSizes, HeadStrides } from './backend/backend.js';
export { setNumThreads, getNumThreads, initThreads, memoryStats, setMemoryBudget } from './backend/wasm/index.js';
export type { WasmMemoryStats } from './backend/wasm/index.js';
export { gpuMemoryStats, webgpuAdapterName, webgpuSynchronize } from './backend/webgpu/index.js';
export type { GpuMemoryStats } from './backend/webgpu/index.js';

export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad-mode.js';
export { backward, grad } from './autograd/engine.js';
export type { BackwardOptions, GradOptions } from './autograd/engine.js';
export { gradcheck, gradgradcheck } from './autograd/gradcheck.js';
export type { GradcheckOptions } from './autograd/gradcheck.js';
export { valueAndGrad, gradOf } from './autograd/functional.js';

export type { TensorLike } from './ops/util.js';
export const { detach } = traceable('', { detach: U.detach });
export const {
  add, sub, mul, div, pow, neg, maximum, minimum, atan2, remainder, fmod, floorDivide,
  eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor, logicalNot, isnan, isinf, isfinite, where, clamp,
  abs, sign, exp, expm1, log, log1p, log2, log10, sqrt, rsqrt, reciprocal, square, sin, cos, tan, asin, acos, atan,
  sinh, cosh, tanh, sigmoid, erf, floor, ceil, round, trunc, relu, leakyRelu, elu, gelu, silu, softplus, cast, clone,
} = traceable('', E);
export const {
  sum, mean, prod, max, min, amax, amin, argmax, argmin, any, all, variance, std, logsumexp, norm,
} = traceable('', R);
export { variance as var };
export type { Dims, ValuesIndices } from './ops/reduce.js';
export const {
  reshape, view, flatten, unflatten, squeeze, unsqueeze, permute, transpose, t, expand, broadcastTo, expandAs,
  broadcastTensors, contiguous, slice, narrow, select, cat, stack, split, chunk, pad, repeat, tril, triu,
} = traceable('', S);
export const { indexSelect, gather, scatterAdd, oneHot, maskedFill, flip } = traceable('', I);
export const { matmul, mm, bmmOp: bmm, dot, outer } = traceable('', L);
export const { softmax, logSoftmax } = traceable('', X);
export const { sort, argsort, topk, unique } = traceable('', O);
export type { UniqueOptions, UniqueResult } from './ops/sort.js';
export const { cumsum, cumprod } = traceable('', Sc);
export const { nonzero, argwhere, maskedSelect } = traceable('', N);
// (not traced: their results' shapes are read from the device)
export { nonzeroAsync, maskedSelectAsync } from './ops/nonzero.js';
export { uniqueAsync } from './ops/sort.js';
export const { multinomial, bernoulli, randLike, randnLike, randintLike } = traceable('', G);
export const { addmm, baddbmm } = traceable('', B);
export { coalesce, toDense, indexAdd_ } from './ops/sparse.js';
export type { ScaleOptions } from './ops/addmm.js';

export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export * as train from './train/index.js';
export * as vision from './vision/index.js';
export * as audio from './audio/index.js';
export { stft, hannWindow, hammingWindow } from './audio/stft.js';
export type { StftOptions, WindowOptions } from './audio/stft.js';
