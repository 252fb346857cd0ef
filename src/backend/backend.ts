import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

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
 * What a backend must provide: kernels over contiguous typed arrays that write into a
 * preallocated `out`. Ops and autograd sit above this and never touch elements themselves,
 * so a faster backend (WebAssembly, threads) plugs in without changing them.
 */
export interface Backend {
  readonly name: string;
  allocate(dtype: DType, size: number): TypedArray;
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** Elementwise op with NumPy broadcasting of `aShape` and `bShape` to `outShape`. */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  where(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
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
  /** The adjoint of im2col: sums columns [n, c*kh*kw, oh*ow] back into out [n, c, h, w], as torch's fold/col2im. */
  col2im(cols: TypedArray, n: number, c: number, h: number, w: number, geometry: ConvGeometry, out: TypedArray): void;
  /**
   * Convolution with groups 1, optional (the conv2d op composes im2col and matmul without it):
   * out [n, cout, oh, ow] = weight [cout, c*kh*kw] @ im2col(x [n, c, h, w]) (+ bias [cout] when given).
   */
  conv2d?(x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, bias: TypedArray | null, geometry: ConvGeometry, out: TypedArray): void;
  /**
   * The backward of conv2d for the gradients that are not null: gradInput [n, c, h, w] (overwritten),
   * gradWeight [cout, c*kh*kw] and gradBias [cout] (each summed over the batch). Optional, as conv2d.
   */
  conv2dBackward?(
    x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, geometry: ConvGeometry,
    gradOut: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
  ): void;
  /**
   * Max pooling over `planes` planes of h x w into values and the flat index (y * w + x) of each maximum
   * in its plane (PyTorch's rules: padding skipped, NaN propagates, first maximum wins ties).
   */
  maxPool2d(x: TypedArray, planes: number, h: number, w: number, geometry: ConvGeometry, values: TypedArray, indices: Int32Array): void;
  /**
   * The backward of maxPool2d, optional (the op scatter-adds without it): out [planes, h, w] is zeroed,
   * then grad [planes, oh, ow] is added at the flat indices maxPool2d returned.
   */
  maxPool2dBackward?(grad: TypedArray, indices: Int32Array, planes: number, h: number, w: number, out: TypedArray): void;
  /** relu's backward from its output y, optional (the op computes grad * (y > 0) without it): out = y > 0 ? grad : 0. */
  reluBackward?(grad: TypedArray, y: TypedArray, out: TypedArray): void;
  /** Fused SGD update of one parameter in place (optim/sgd.ts); optional, js/optim.ts is the fallback. */
  sgdStep?(param: TypedArray, grad: TypedArray, momentumBuffer: TypedArray | null, options: SgdStepOptions): void;
  /** Fused Adam/AdamW update of one parameter in place (optim/adam.ts); optional, js/optim.ts is the fallback. */
  adamStep?(param: TypedArray, grad: TypedArray, expAvg: TypedArray, expAvgSq: TypedArray, maxExpAvgSq: TypedArray | null, options: AdamStepOptions): void;
  /**
   * Optional: a zero-filled array in memory the backend's kernels use in place (wasm: a view into its
   * memory), for parameters, their gradients and optimizer state; null when it cannot (then allocate as
   * usual). `owner`: the resident array this one serves (a parameter's, for its gradient), which bounds
   * how many such arrays may await reclamation.
   */
  allocateResident?(dtype: DType, size: number, owner?: TypedArray): TypedArray | null;
  /** Optional: whether `data` came from allocateResident. */
  isResident?(data: TypedArray): boolean;

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

let current: Backend | null = null;
const registry = new Map<string, Backend>();

export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  current ??= backend;
}

/** The backend that runs kernels now. */
export function backend(): Backend {
  if (!current) throw new Error('descent: no backend registered');
  return current;
}

export function getBackend(): string {
  return backend().name;
}

/** Selects the kernel backend by name ('js' always exists). */
export function setBackend(name: string): void {
  const b = registry.get(name);
  if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${[...registry.keys()].join(', ')})`);
  current = b;
}
