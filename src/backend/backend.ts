// The Backend interface: the kernels every backend runs on its own storage. Kernels are defined once over
// typed arrays (ArrayKernels, the reference in js/); a backend runs the same signatures over its Storage
// (Kernels, derived below), so a swapped argument does not compile and a new kernel is declared once.
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { type Device, type Storage, defaultDevice, deviceNamed, registerDevice, setBackend } from '../tensor/storage.js';

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'expm1' | 'log' | 'log1p' | 'log2' | 'log10' | 'sqrt' | 'rsqrt'
  | 'reciprocal' | 'square' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh'
  | 'sigmoid' | 'relu' | 'erf' | 'floor' | 'ceil' | 'round' | 'trunc' | 'logicalNot' | 'isnan' | 'isinf'
  | 'isfinite' | 'copy';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2' | 'remainder' | 'fmod'
  | 'floorDivide' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr' | 'logicalXor';

/** Where a 2-d sliding window goes: kernel, stride, padding and dilation as [along H, along W], and the output size. */
export interface ConvGeometry {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
  outSize: readonly [number, number];
}

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'any' | 'all';

/**
 * The kernels, over contiguous typed arrays that they write into a preallocated `out` (js/ implements
 * them all). Ops and autograd sit above and never touch elements themselves.
 */
export interface ArrayKernels {
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** Elementwise op with NumPy broadcasting of `aShape` and `bShape` to `outShape`. */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  where(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  /** out = x converted to out's dtype (float to int truncates toward zero, anything to bool is x != 0). */
  cast(x: TypedArray, out: TypedArray): void;
  /** Sets every element of out to `value`. */
  fill(out: TypedArray, value: number): void;
  /** The first element of `index` outside [0, size), or null when all are inside. */
  indexOutOfRange(index: Int32Array, size: number): number | null;
  /** Reduces axis `axis` of `x` (shape `shape`); `out` has the shape with that axis removed. */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axis: number, out: TypedArray): void;
  /**
   * Batched C[b] = op(A[b]) @ op(B[b]) with C of shape [batch, m, n]. A batch stride of 0 broadcasts.
   * transA means A[b] is stored as [k, m]; transB means B[b] is stored as [n, k].
   */
  matmul(
    a: TypedArray, b: TypedArray, out: TypedArray, batch: number, m: number, k: number, n: number,
    transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
  ): void;
  /** out = x with axes permuted (out's axis i is x's axis perm[i]). */
  permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;
  /** out = x broadcast from `shape` to `outShape`. */
  expand(x: TypedArray, shape: Shape, out: TypedArray, outShape: Shape): void;
  /** Copies the block x[..., start:start+length:step, ...] along `axis`. */
  slice(x: TypedArray, shape: Shape, axis: number, start: number, length: number, step: number, out: TypedArray): void;
  /** Writes `src` into out[..., offset:offset+src.shape[axis], ...] (the inverse of slice, used by cat and slice's backward). */
  sliceAssign(src: TypedArray, srcShape: Shape, axis: number, offset: number, step: number, out: TypedArray, outShape: Shape): void;
  /** out[outer, j, inner] = x[outer, index[j], inner]. */
  indexSelect(x: TypedArray, shape: Shape, axis: number, index: Int32Array, out: TypedArray): void;
  /** out[outer, index[j], inner] += src[outer, j, inner]. */
  indexAdd(src: TypedArray, srcShape: Shape, axis: number, index: Int32Array, out: TypedArray, outShape: Shape): void;
  /** torch.gather: out[i][j] = x[i][index[i][j]] along `axis`; index has out's shape. */
  gather(x: TypedArray, shape: Shape, axis: number, index: Int32Array, indexShape: Shape, out: TypedArray): void;
  /** torch.scatter_add_: out[i][index[i][j]] += src[i][j] along `axis`. */
  scatterAdd(src: TypedArray, srcShape: Shape, index: Int32Array, indexShape: Shape, axis: number, out: TypedArray, outShape: Shape): void;
  /** Softmax (or log-softmax) over the last axis of length `n`. */
  softmax(x: TypedArray, n: number, out: TypedArray, log: boolean): void;
  /** Unfolds x [n, c, h, w] into columns [n, c*kh*kw, oh*ow] (padding reads 0), as torch's unfold/im2col. */
  im2col(x: TypedArray, n: number, c: number, h: number, w: number, geometry: ConvGeometry, out: TypedArray): void;
  /** The adjoint of im2col: sums columns [n, c*kh*kw, oh*ow] back into out [n, c, h, w] (overwritten), as torch's fold/col2im. */
  col2im(cols: TypedArray, n: number, c: number, h: number, w: number, geometry: ConvGeometry, out: TypedArray): void;
  /** Convolution with groups 1: out [n, cout, oh, ow] = weight [cout, c*kh*kw] @ im2col(x [n, c, h, w]) (+ bias [cout]). */
  conv2d(x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, bias: TypedArray | null, geometry: ConvGeometry, out: TypedArray): void;
  /**
   * The backward of conv2d for the gradients that are not null: gradInput [n, c, h, w] (overwritten),
   * gradWeight [cout, c*kh*kw] and gradBias [cout] (each summed over the batch, overwritten).
   */
  conv2dBackward(
    x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, geometry: ConvGeometry,
    gradOut: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
  ): void;
  /**
   * Max pooling over `planes` planes of h x w into values and the flat index (y * w + x) of each maximum
   * in its plane (PyTorch's rules: padding skipped, NaN propagates, first maximum wins ties).
   */
  maxPool2d(x: TypedArray, planes: number, h: number, w: number, geometry: ConvGeometry, values: TypedArray, indices: Int32Array): void;
  /** The backward of maxPool2d: out [planes, h, w] is zeroed, then grad [planes, oh, ow] is added at the flat indices. */
  maxPool2dBackward(grad: TypedArray, indices: Int32Array, planes: number, h: number, w: number, out: TypedArray): void;
  /** relu's backward from its output y: out = y > 0 ? grad : 0. */
  reluBackward(grad: TypedArray, y: TypedArray, out: TypedArray): void;
  /** Scales, in place, each row of weight (rows of `dim`) named in `rows` whose p-norm exceeds maxNorm to maxNorm (torch's embedding_renorm_). */
  renormRows(weight: TypedArray, dim: number, rows: Int32Array, maxNorm: number, p: number): void;

  // Sorting, selection and scans view x as [outer, n, inner]: the axis has n elements, `inner` apart.
  /** out [outer, n, inner]: the positions along the axis in sorted order (NaN last ascending, first descending; stable). */
  argsort(x: TypedArray, outer: number, n: number, inner: number, descending: boolean, out: Int32Array): void;
  /** out [outer, k, inner]: the positions of the k largest (or smallest) elements along the axis, in order (ties by position). */
  topk(x: TypedArray, outer: number, n: number, inner: number, k: number, largest: boolean, out: Int32Array): void;
  /**
   * Sorted distinct values of x into values[0..u), each element's index among them into inverse, the
   * number of occurrences into counts[0..u); returns u (values and counts are allocated with x.length entries).
   */
  unique(x: TypedArray, values: TypedArray, inverse: Int32Array, counts: Int32Array): number;
  /** The coordinates of the non-zero elements (row-major) into out, shape.length per element; returns their number. */
  nonzero(x: TypedArray, shape: Shape, out: Int32Array): number;
  /** out = cumulative sum or product along the axis (accumulated in double, as PyTorch's CPU kernels). */
  cumulative(op: 'sum' | 'prod', x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  /** The gradient of cumprod along the axis for the upstream gradient `grad`, exact when x has zeros. */
  cumprodBackward(x: TypedArray, grad: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  /**
   * out [rows, numSamples]: for each uniform draw in [0, 1) (uniforms [rows, numSamples]) the category of
   * probs [rows, n] it falls in, by the normalized cumulative distribution (PyTorch's multinomial with replacement).
   */
  sampleCategorical(probs: TypedArray, rows: number, n: number, uniforms: Float64Array, numSamples: number, out: Int32Array): void;
}

// The same signatures over a backend's storage: every typed-array argument becomes a Storage.
type StorageArgs<A extends unknown[]> = {
  [K in keyof A]: A[K] extends TypedArray ? Storage : A[K] extends TypedArray | null ? Storage | null : A[K];
};
type OnStorage<F> = F extends (...args: infer A) => infer R ? (...args: StorageArgs<A>) => R : never;
export type Kernels = { [K in keyof ArrayKernels]: OnStorage<ArrayKernels[K]> };

/** Scalars of one fused SGD step; `initBuffer` means the momentum buffer is set to the first direction. */
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
  initBuffer: boolean;
}

/**
 * Scalars of one fused Adam step: `weightDecay` is L2 (added to the gradient), `decoupledDecay` scales the
 * parameter by (1 - lr * decoupledDecay) first (AdamW); `step` is the step count after this update.
 */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupledDecay: number;
  maximize: boolean;
  step: number;
}

/**
 * Optional fused update rules, keyed by rule: one pass over a parameter and its state, in place. Each
 * returns false when it cannot take these operands (e.g. float64), and the rule's reference (tensor ops,
 * in optim/) runs instead; test/optim/fused.test.ts checks every fused step against its reference.
 */
export interface FusedSteps {
  sgd(param: Storage, grad: Storage, momentumBuffer: Storage | null, options: SgdStepOptions): boolean;
  adam(param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null, options: AdamStepOptions): boolean;
}

/** Every state buffer of a fused step must be as long as the parameter: the kernels trust the lengths they are given. */
export function checkFusedLengths(rule: string, param: Storage, others: Record<string, Storage | null>): void {
  for (const [name, s] of Object.entries(others)) {
    if (s !== null && s.length !== param.length) {
      throw new Error(`${rule}: ${name} has ${s.length} elements but the parameter has ${param.length}`);
    }
  }
}

/** A backend: a device that owns storage (tensor/storage.ts) and runs the kernels on it. */
export interface Backend extends Device, Kernels {
  readonly fused: Partial<FusedSteps>;
  /** Optional asynchronous setup that `init(name)` awaits (threads, a GPU adapter). */
  ready?(): Promise<void>;
}

/** Makes a backend available to setBackend/init/to() by its name; it selects nothing. */
export function registerBackend(backend: Backend): void {
  registerDevice(backend);
}

/** The backend named `name`, or the one new tensors are created on. @example backend('js').name // 'js' */
export function backend(name?: string): Backend {
  return (name === undefined ? defaultDevice() : deviceNamed(name, 'backend')) as Backend;
}

/**
 * Prepares backend `name` (its threads, or a GPU adapter) and makes it the one new tensors are created on.
 * @example await init('wasm');
 */
export async function init(name: string): Promise<void> {
  const b = deviceNamed(name, 'init') as Backend;
  await b.ready?.();
  setBackend(name);
}

export type { DType };
